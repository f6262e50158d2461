/**
 * Guest source (a prelude part after guest-text.ts): structuredClone, per
 * the HTML standard's structured serialisation for what exists in a task: primitives, plain
 * objects and arrays (cycles and shared references kept), Date, RegExp, Map, Set, ArrayBuffer,
 * typed arrays, DataView, errors and primitive wrappers. Functions, symbols and other objects
 * with internal state (Promise, WeakMap, ...) throw a DataCloneError, as in browsers.
 */
export const GUEST_CLONE_SOURCE = String.raw`
  var DOMException = shared.DOMException;
  var ERROR_TYPES = { Error: Error, EvalError: EvalError, RangeError: RangeError, ReferenceError: ReferenceError, SyntaxError: SyntaxError, TypeError: TypeError, URIError: URIError };
  var VIEW_TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView];
  function notCloneable(value) {
    var what = typeof value === "function" ? "function " + (value.name || "(anonymous)") : typeof value === "symbol" ? String(value) : Object.prototype.toString.call(value);
    return new DOMException("structuredClone: " + what + " could not be cloned", "DataCloneError");
  }

  define("structuredClone", function structuredClone(value, options) {
    if (arguments.length === 0) throw new TypeError("structuredClone requires 1 argument");
    if (options && options.transfer && options.transfer.length > 0) throw new DOMException("structuredClone: transfer is not supported in tasks", "DataCloneError");
    var memory = new Map();
    function copyProperties(from, to) {
      Object.keys(from).forEach(function (key) { to[key] = clone(from[key]); });
      return to;
    }
    function clone(v) {
      if (typeof v === "symbol" || typeof v === "function") throw notCloneable(v);
      if (v === null || typeof v !== "object") return v;
      if (memory.has(v)) return memory.get(v);
      var tag = Object.prototype.toString.call(v), out;
      if (Array.isArray(v)) { out = new Array(v.length); memory.set(v, out); return copyProperties(v, out); }
      if (v instanceof Date) out = new Date(v.getTime());
      else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
      else if (v instanceof ArrayBuffer) out = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        var Type = VIEW_TYPES.find(function (T) { return v instanceof T; });
        if (!Type) throw notCloneable(v);
        var buffer = clone(v.buffer);
        out = Type === DataView ? new DataView(buffer, v.byteOffset, v.byteLength) : new Type(buffer, v.byteOffset, v.length);
      } else if (v instanceof Map) {
        out = new Map(); memory.set(v, out);
        v.forEach(function (entry, key) { out.set(clone(key), clone(entry)); });
        return out;
      } else if (v instanceof Set) {
        out = new Set(); memory.set(v, out);
        v.forEach(function (entry) { out.add(clone(entry)); });
        return out;
      } else if (v instanceof Error) {
        out = new (Object.prototype.hasOwnProperty.call(ERROR_TYPES, v.name) ? ERROR_TYPES[v.name] : Error)(v.message);
        if (typeof v.stack === "string") Object.defineProperty(out, "stack", { value: v.stack, writable: true, configurable: true });
        if ("cause" in v) out.cause = clone(v.cause);
      } else if (tag === "[object Boolean]" || tag === "[object Number]" || tag === "[object String]" || tag === "[object BigInt]") {
        out = Object(v.valueOf());
      } else if (tag === "[object Object]") {
        out = {}; memory.set(v, out);
        return copyProperties(v, out);
      } else throw notCloneable(v);
      memory.set(v, out);
      return out;
    }
    return clone(value);
  });
`;
