/**
 * Guest source (a prelude part, see PRELUDE_PARTS): DOMException,
 * TextEncoder, TextDecoder (UTF-8, as the WHATWG Encoding standard decodes it: lone surrogates
 * become U+FFFD, invalid sequences one U+FFFD per maximal subpart, or a TypeError when fatal),
 * atob and btoa (forgiving base64, InvalidCharacterError as browsers throw it). Shares
 * DOMException and the UTF-8 helpers with the parts after it.
 */
export const GUEST_TEXT_SOURCE = String.raw`
  var DOM_EXCEPTION_CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5, NoModificationAllowedError: 7,
    NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13,
    NamespaceError: 14, InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  class DOMException extends Error {
    constructor(message, name) {
      super(message === undefined ? "" : String(message));
      Object.defineProperty(this, "name", { value: name === undefined ? "Error" : String(name), writable: true, configurable: true, enumerable: false });
    }
    get code() { return DOM_EXCEPTION_CODES[this.name] || 0; }
  }
  define("DOMException", DOMException);

  // A string as Web APIs take it (USVString): lone surrogates become U+FFFD.
  function toUSV(value) {
    var s = String(value);
    return /[\uD800-\uDFFF]/.test(s) ? s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD") : s;
  }

  // Bytes of one code point starting at s[i] into out at n; returns [units read, bytes written], or null when out is full.
  function encodeAt(s, i, out, n, room) {
    var c = s.charCodeAt(i), units = 1;
    if (c >= 0xd800 && c <= 0xdfff) {
      var d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); units = 2; }
      else c = 0xfffd;
    }
    var size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (n + size > room) return null;
    if (size === 1) out[n] = c;
    else if (size === 2) { out[n] = 0xc0 | (c >> 6); out[n + 1] = 0x80 | (c & 63); }
    else if (size === 3) { out[n] = 0xe0 | (c >> 12); out[n + 1] = 0x80 | ((c >> 6) & 63); out[n + 2] = 0x80 | (c & 63); }
    else { out[n] = 0xf0 | (c >> 18); out[n + 1] = 0x80 | ((c >> 12) & 63); out[n + 2] = 0x80 | ((c >> 6) & 63); out[n + 3] = 0x80 | (c & 63); }
    return [units, size];
  }

  function utf8Encode(s) {
    var out = new Uint8Array(s.length * 3), n = 0;
    for (var i = 0; i < s.length;) {
      var c = s.charCodeAt(i);
      if (c < 0x80) { out[n++] = c; i++; continue; }
      var step = encodeAt(s, i, out, n, out.length);
      i += step[0]; n += step[1];
    }
    return out.slice(0, n);
  }

  // The Encoding standard's UTF-8 decoder as a state machine, so a decode with { stream: true } can end mid-sequence.
  function newUtf8State() { return { cp: 0, needed: 0, seen: 0, lower: 0x80, upper: 0xbf, started: false }; }
  function utf8Decode(bytes, state, fatal, flush, ignoreBOM) {
    var units = [], chunks = [];
    function emit(cp) {
      if (!state.started) { state.started = true; if (cp === 0xfeff && !ignoreBOM) return; }
      if (cp > 0xffff) { cp -= 0x10000; units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
      else units.push(cp);
      if (units.length >= 8192) { chunks.push(String.fromCharCode.apply(null, units)); units = []; }
    }
    function invalid() {
      if (fatal) throw new TypeError("The encoded data was not valid UTF-8");
      emit(0xfffd);
    }
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (state.needed === 0) {
        if (b <= 0x7f) emit(b);
        else if (b >= 0xc2 && b <= 0xdf) { state.needed = 1; state.cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) { if (b === 0xe0) state.lower = 0xa0; if (b === 0xed) state.upper = 0x9f; state.needed = 2; state.cp = b & 0xf; }
        else if (b >= 0xf0 && b <= 0xf4) { if (b === 0xf0) state.lower = 0x90; if (b === 0xf4) state.upper = 0x8f; state.needed = 3; state.cp = b & 7; }
        else invalid();
        continue;
      }
      if (b < state.lower || b > state.upper) {
        state.cp = state.needed = state.seen = 0; state.lower = 0x80; state.upper = 0xbf;
        invalid();
        i--;
        continue;
      }
      state.lower = 0x80; state.upper = 0xbf;
      state.cp = (state.cp << 6) | (b & 0x3f);
      if (++state.seen === state.needed) { var cp = state.cp; state.cp = state.needed = state.seen = 0; emit(cp); }
    }
    if (flush && state.needed !== 0) { state.cp = state.needed = state.seen = 0; invalid(); }
    chunks.push(String.fromCharCode.apply(null, units));
    return chunks.join("");
  }
  shared.DOMException = DOMException;
  shared.toUSV = toUSV;
  shared.utf8Encode = utf8Encode;
  shared.utf8Decode = utf8Decode;
  shared.newUtf8State = newUtf8State;

  function bytesOf(input, what) {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError(what + ": the input must be an ArrayBuffer or an ArrayBuffer view");
  }

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input) { return utf8Encode(input === undefined ? "" : toUSV(input)); }
    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array)) throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
      var s = String(source), read = 0, written = 0;
      while (read < s.length) {
        var step = encodeAt(s, read, destination, written, destination.length);
        if (step === null) break;
        read += step[0]; written += step[1];
      }
      return { read: read, written: written };
    }
  }
  define("TextEncoder", TextEncoder);

  var decoderState = new WeakMap();
  class TextDecoder {
    constructor(label, options) {
      var name = label === undefined ? "utf-8" : String(label).trim().toLowerCase();
      if (name !== "utf-8" && name !== "utf8" && name !== "unicode-1-1-utf-8" && name !== "unicode11utf8" && name !== "unicode20utf8" && name !== "x-unicode20utf8") {
        throw new RangeError("TextDecoder: the encoding " + JSON.stringify(String(label)) + " is not supported; only UTF-8 is");
      }
      options = options || {};
      decoderState.set(this, { fatal: Boolean(options.fatal), ignoreBOM: Boolean(options.ignoreBOM), state: newUtf8State() });
    }
    get encoding() { return "utf-8"; }
    get fatal() { return decoderState.get(this).fatal; }
    get ignoreBOM() { return decoderState.get(this).ignoreBOM; }
    decode(input, options) {
      var d = decoderState.get(this);
      var stream = Boolean(options && options.stream);
      try {
        return utf8Decode(bytesOf(input, "TextDecoder.decode"), d.state, d.fatal, !stream, d.ignoreBOM);
      } finally {
        if (!stream) d.state = newUtf8State();
      }
    }
  }
  define("TextDecoder", TextDecoder);

  var BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function invalidCharacter(message) { return new DOMException(message, "InvalidCharacterError"); }

  define("btoa", function btoa(data) {
    if (arguments.length === 0) throw new TypeError("btoa requires 1 argument");
    var s = String(data), out = [];
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw invalidCharacter("btoa: the string contains characters outside of the Latin1 range; encode it first, e.g. btoa(String.fromCharCode(...new TextEncoder().encode(s)))");
      var n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out.push(BASE64[n >> 18], BASE64[(n >> 12) & 63], i + 1 < s.length ? BASE64[(n >> 6) & 63] : "=", i + 2 < s.length ? BASE64[n & 63] : "=");
    }
    return out.join("");
  });

  define("atob", function atob(data) {
    if (arguments.length === 0) throw new TypeError("atob requires 1 argument");
    var s = String(data).replace(/[\t\n\f\r ]/g, "");
    if (s.length % 4 === 0) s = s.replace(/==?$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+\/]/.test(s)) throw invalidCharacter("atob: the string to be decoded is not correctly encoded base64");
    var out = [], bits = 0, value = 0;
    for (var i = 0; i < s.length; i++) {
      value = (value << 6) | BASE64.indexOf(s[i]);
      bits += 6;
      if (bits >= 8) { bits -= 8; out.push((value >> bits) & 255); }
    }
    var text = "";
    for (var j = 0; j < out.length; j += 8192) text += String.fromCharCode.apply(null, out.slice(j, j + 8192));
    return text;
  });
`;
