import { GUEST_ERROR_CLASSES } from "../errors.ts";
import { GUEST_CLONE_SOURCE } from "./guest-clone.ts";
import { GUEST_RANDOM_SOURCE } from "./guest-random.ts";
import { GUEST_TEXT_SOURCE } from "./guest-text.ts";
import { GUEST_TIMERS_SOURCE } from "./guest-timers.ts";
import { GUEST_URL_SOURCE } from "./guest-url.ts";

/** File name the prelude runs under; stack frames from it are dropped from guest stacks. */
export const PRELUDE_FILENAME = "ratchet:prelude";

/**
 * Global names the host sets: the bridge before the prelude runs, the completion value of
 * main.js after it was evaluated. Everything crossing the boundary is a string or a
 * function the guest calls: the host never hands the guest an object.
 */
export const HOST_GLOBALS = {
  bridge: "__ratchet_host",
  completion: "__ratchet_completion",
} as const;

/**
 * What the host's fetch and log answer once the run must end: a limit was hit, or (sync build)
 * the run is void because it reached a fetch the recording cannot answer. The guest spins until
 * the interrupt handler ends the run, which QuickJS does with an error no catch or finally block
 * sees. So task code never learns of it, and cannot carry on. (An empty loop, because QuickJS
 * polls the handler every 10,000 jumps: that one costs ~0.05 ms, a loop with a body several times more.)
 */
export const VOID_RUN = "";

/**
 * Guest-side runtime: the guide's error classes, console, the synchronous fetch, a Date a
 * repeated run reads alike, and the
 * runner that calls the entry point. It and the parts after it (PRELUDE_PARTS) capture the
 * host bridge functions in closures, and the last part removes the bridge from the global
 * object, so task code only sees the documented API.
 */
export const PRELUDE_SOURCE = `
(function (bridge) {
  "use strict";
  var g = globalThis;
  var hostFetch = bridge.fetch;
  var hostLog = bridge.log;
  var shared = bridge.shared = {};

  function define(name, value) {
    Object.defineProperty(g, name, { value: value, writable: true, configurable: true, enumerable: false });
  }
  shared.define = define;

  ${JSON.stringify(GUEST_ERROR_CLASSES)}.forEach(function (name) {
    var ErrorClass = ({ [name]: class extends Error {} })[name];
    Object.defineProperty(ErrorClass.prototype, "name", { value: name, writable: true, configurable: true });
    define(name, ErrorClass);
  });

  // The clock comes from the host, so a run repeated to answer a fetch reads what the first
  // run read (see replay.ts); Date keeps its prototype, statics and subclassing.
  var hostNow = bridge.now;
  var HostDate = g.Date;
  function Date(year, month, day, hours, minutes, seconds, ms) {
    if (new.target === undefined) return new HostDate(hostNow()).toString();
    var args = arguments.length === 0 ? [hostNow()] : Array.prototype.slice.call(arguments);
    return Reflect.construct(HostDate, args, new.target);
  }
  Date.prototype = HostDate.prototype;
  Object.defineProperty(HostDate.prototype, "constructor", { value: Date, writable: true, configurable: true, enumerable: false });
  [["now", function now() { return hostNow(); }], ["parse", HostDate.parse], ["UTC", HostDate.UTC]].forEach(function (entry) {
    Object.defineProperty(Date, entry[0], { value: entry[1], writable: true, configurable: true, enumerable: false });
  });
  define("Date", Date);

  function describe(value) {
    if (typeof value === "string") return value;
    if (value instanceof Error) return value.stack ? value.name + ": " + value.message + "\\n" + value.stack : String(value);
    if (typeof value === "object" && value !== null) {
      try { return JSON.stringify(value); } catch (_) { return String(value); }
    }
    return String(value);
  }

  var levels = ["log", "info", "warn", "error", "debug"];
  var consoleObject = {};
  levels.forEach(function (level) {
    consoleObject[level] = function () {
      var stop = hostLog(level, Array.prototype.map.call(arguments, describe).join(" "));
      if (stop === ${JSON.stringify(VOID_RUN)}) for (;;) {}
    };
  });
  define("console", consoleObject);

  function makeResponse(answer) {
    var bodyText = answer.bodyText;
    var body = bodyText;
    if (answer.isJson) {
      try { body = JSON.parse(bodyText); } catch (_) { body = bodyText; }
    }
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      statusText: answer.statusText,
      url: answer.url,
      headers: answer.headers,
      body: body,
      text: function () { return bodyText; },
      json: function () {
        try { return JSON.parse(bodyText); } catch (error) {
          throw new g.DataError("Response from " + answer.url + " is not valid JSON: " + error.message);
        }
      },
    };
  }

  // A request the host answers, recorded for repeated runs (see replay.ts): a fetch, or a wait for a timer.
  function hostRequest(request) {
    var answerText = hostFetch(JSON.stringify(request));
    if (answerText === ${JSON.stringify(VOID_RUN)}) for (;;) {}
    return JSON.parse(answerText);
  }
  shared.hostRequest = hostRequest;

  define("fetch", function fetch(url, options, body) {
    options = options || {};
    var payload = body !== undefined ? body : options.body;
    var headers = {};
    var given = options.headers || {};
    Object.keys(given).forEach(function (key) { headers[key] = String(given[key]); });
    if (payload !== undefined && payload !== null && typeof payload !== "string") {
      payload = JSON.stringify(payload);
      var hasType = Object.keys(headers).some(function (key) { return key.toLowerCase() === "content-type"; });
      if (!hasType) headers["content-type"] = "application/json";
    }
    var request = {
      url: String(url),
      method: String(options.method || "GET").toUpperCase(),
      headers: headers,
      body: payload === undefined || payload === null ? null : payload,
    };
    var answer = hostRequest(request);
    if (answer.error) {
      var ErrorClass = g[answer.error.type] || Error;
      var error = new ErrorClass(answer.error.message);
      if (!g[answer.error.type]) error.name = answer.error.type;
      throw error;
    }
    return makeResponse(answer);
  });

  shared.report = function report(error) { consoleObject.error("Uncaught", error); };

  function serialise(value) {
    var text = JSON.stringify(value === undefined ? null : value);
    return text === undefined ? "null" : text;
  }

  // The prelude evaluates to this runner; only the host holds it, the guest never sees it.
  return function run(inputText, contextText) {
    var entry = g.${HOST_GLOBALS.completion};
    delete g.${HOST_GLOBALS.completion};
    if (typeof entry !== "function") entry = typeof g.main === "function" ? g.main : undefined;
    if (entry === undefined) {
      var error = new Error("main.js must evaluate to a function. Accepted forms: (function(input, context) { ... }), function main(input, context) { ... }, or an async function of either form.");
      error.name = "EntryPointError";
      throw error;
    }
    var context = JSON.parse(contextText);
    Object.freeze(context.secrets);
    var result = entry(JSON.parse(inputText), Object.freeze(context));
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      return Promise.resolve(result).then(serialise);
    }
    return serialise(result);
  };
})(globalThis.${HOST_GLOBALS.bridge});
`;

/**
 * The Web-standard globals, each compiled as a script of its own after PRELUDE_SOURCE: QuickJS
 * keeps a script's whole parse tree until it is compiled, and what that leaves behind in the
 * heap is copied by every snapshot restore, so small scripts keep the snapshot small. Each
 * runs with `bridge` (the host functions), `shared` (what the parts share), `define` and `g`
 * in scope. The last one evaluates to the timers' runTimer, which only the host holds, and
 * removes the bridge.
 */
export const PRELUDE_PARTS: readonly string[] = [GUEST_TEXT_SOURCE, GUEST_URL_SOURCE, GUEST_CLONE_SOURCE, GUEST_RANDOM_SOURCE, GUEST_TIMERS_SOURCE].map(
  (source, i, all) => `(function (bridge) {
  "use strict";
  var g = globalThis, shared = bridge.shared, define = shared.define;
${source}
${i === all.length - 1 ? `  delete g.${HOST_GLOBALS.bridge};
  return runTimer;` : ""}
})(globalThis.${HOST_GLOBALS.bridge});
`,
);
