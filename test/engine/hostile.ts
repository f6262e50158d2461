import { describe, expect, it } from "vitest";
import type { Engine, EngineOptions, ExecuteRequest, ExecutionResult } from "../../src/engine/index.ts";
import { BUILDS, type Build } from "./build-runner.ts";

/** Fetches that send an execution on to asyncify: one more than the sync build answers by repeating runs. */
const FETCHES_TO_ASYNCIFY = 4;
const MiB = 1024 * 1024;

/** Small limits keep the suite quick; a generous wall clock lets only the limit under test end a run. */
const CPU = { cpuMs: 100, wallMs: 20_000 };
const SMALL_HEAP = { memory_limit: "8MB" };

/** What a task may find on its global object: ECMAScript's builtins, QuickJS's own, and what the README documents. */
const ALLOWED_GLOBALS = new Set([
  ...["AggregateError", "Array", "ArrayBuffer", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean", "DataView", "Date", "Error", "EvalError"],
  ...["FinalizationRegistry", "Float16Array", "Float32Array", "Float64Array", "Function", "Infinity", "Int16Array", "Int32Array", "Int8Array"],
  ...["InternalError", "Iterator", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect"],
  ...["RegExp", "Set", "SharedArrayBuffer", "String", "Symbol", "SyntaxError", "TypeError", "URIError", "Uint16Array", "Uint32Array", "Uint8Array"],
  ...["Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape"],
  ...["eval", "globalThis", "isFinite", "isNaN", "parseFloat", "parseInt", "undefined", "unescape"],
  ...["NetworkError", "DataError", "ValidationError", "TimeoutError", "AuthenticationError", "RateLimitError", "DOMException"],
  ...["URL", "URLSearchParams", "TextEncoder", "TextDecoder", "atob", "btoa", "structuredClone", "crypto", "queueMicrotask"],
  ...["setTimeout", "setInterval", "clearTimeout", "clearInterval", "console", "fetch"],
]);

/** Host objects of Node, Deno, Bun, browsers and workerd, and QuickJS's libc modules: none may be reachable. */
const HOST_NAMES = [
  "process", "require", "module", "exports", "Buffer", "global", "__dirname", "__filename", "WebAssembly", "Deno", "Bun", "navigator",
  "window", "self", "caches", "Request", "Response", "Headers", "XMLHttpRequest", "importScripts", "std", "os", "scriptArgs", "print",
  "__ratchet_host", "__ratchet_completion",
];

/**
 * Hostile tasks, written once and run in every host (Node in test/engine, workerd in
 * test/workers) on both QuickJS builds: each must end in its own typed error within its limit,
 * and the next execution on the same engine must run correctly.
 */
export function hostileSuite(makeEngine: (options?: Omit<EngineOptions, "wasm">) => Engine, upstream: () => string): void {
  const engines: Record<Build, Engine> = { sync: makeEngine({ poolSize: 1 }), asyncify: makeEngine({ poolSize: 1 }) };

  /** Runs a guest function on `build`; on asyncify it first makes the fetches that send an execution there. */
  async function runOn(
    build: Build,
    fnSource: string,
    options: { input?: Record<string, unknown>; metadata?: Record<string, unknown>; request?: Partial<ExecuteRequest> } = {},
  ): Promise<ExecutionResult> {
    const engine = engines[build];
    const loaded = await engine.loadDocument({
      format: "ratchet.bundle/1",
      metadata: { uuid: "0b7e4c1a-5d2f-4e8b-9a3c-6f1d2e3a4b5c", version: "1.0.0", label: "hostile", ...options.metadata },
      code: `(function(input, context) {
        for (var i = 0; i < input.warmups; i++) fetch(input.url + "/json?warmup=" + i);
        return (${fnSource})(input, context);
      })`,
      input_schema: {},
      output_schema: {},
      tests: [],
    });
    if (!loaded.ok) throw new Error(`bundle invalid: ${JSON.stringify(loaded.problems)}`);
    const result = await engine.execute(loaded.bundle, {
      input: { url: upstream(), warmups: build === "asyncify" ? FETCHES_TO_ASYNCIFY : 0, ...options.input },
      trigger: "test",
      fetch: (request) => fetch(request),
      ...options.request,
    });
    expect(engine.poolStats().asyncify.created > 0, `ran on ${build}`).toBe(build === "asyncify");
    return result;
  }

  /** The next execution on the same engine runs correctly. */
  async function expectNextRunWorks(build: Build): Promise<void> {
    const result = await runOn(build, "function (input) { return { doubled: input.n * 2, globals: Object.keys(globalThis).length }; }", { input: { n: 21 } });
    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({ doubled: 42, globals: 0 });
  }

  async function expectLimit(build: Build, fnSource: string, type: string, options: Parameters<typeof runOn>[2] = {}): Promise<ExecutionResult> {
    const result = await runOn(build, fnSource, options);
    expect(result.status).toBe("failed");
    expect(result.error?.type, `${result.error?.type}: ${result.error?.message}`).toBe(type);
    await expectNextRunWorks(build);
    return result;
  }

  describe.each(BUILDS)("hostile tasks on the %s build", (build) => {
    describe("CPU: each ends in CpuLimitError", () => {
      const cases: [string, string][] = [
        ["while (true) {}", "function () { while (true) {} }"],
        [
          "a loop in try/catch/finally that tries to swallow the stop",
          `function () {
            for (;;) {
              try { for (;;) {} }
              catch (e) { continue; }
              finally { for (var i = 0; i < 10; i++) {} continue; }
            }
          }`,
        ],
        ["a catastrophic regular expression", "function () { return /(a+)+$/.test('a'.repeat(40) + 'b'); }"],
        ["a toJSON that loops while the output is serialised", "function () { return { value: { toJSON: function () { for (;;) {} } } }; }"],
        [
          "a getter that loops while the output is serialised",
          "function () { var o = {}; Object.defineProperty(o, 'x', { enumerable: true, get: function () { for (;;) {} } }); return o; }",
        ],
        ["Array.prototype.sort with a comparator that loops", "function () { var a = []; for (var i = 0; i < 1000; i++) a.push(i); return a.sort(function () { for (;;) {} }); }"],
        [
          "Array.prototype.sort with a comparator that never settles",
          "function () { var a = []; for (var i = 0; i < 20000; i++) a.push(i); for (;;) a.sort(function () { return Math.random() - 0.5; }); }",
        ],
        ["a microtask that loops after the task returned", "function () { queueMicrotask(function () { for (;;) {} }); return 1; }"],
        ["a setInterval that never ends", "function () { setInterval(function () {}, 0); return 1; }"],
        ["an async function that loops after an await", "async function () { await null; for (;;) {} }"],
        ["a then getter that loops when the result is resolved", "function () { return { get then() { for (;;) {} } }; }"],
        ["a toJSON that loops while console.log describes it", "function () { console.log({ toJSON: function () { for (;;) {} } }); }"],
      ];
      it.each(cases)("%s", async (_, source) => {
        const result = await expectLimit(build, source, "CpuLimitError", { request: { limits: CPU } });
        expect(result.error).toMatchObject({ details: { limit: "cpuMs", value: CPU.cpuMs } });
        expect(result.error!.message).toMatch(/cpuMs/);
        expect(result.logs).toEqual([]);
      });
    });

    it("a native builtin that runs past the CPU budget between interrupt polls ends in CpuLimitError, not a completed run", async () => {
      const result = await expectLimit(build, "function () { return new Array(1e7).join('x').length; }", "CpuLimitError", { request: { limits: { cpuMs: 20 } } });
      expect(result.output).toBeUndefined();
    });

    describe("memory: each ends in MemoryLimitError", () => {
      const cases: [string, string][] = [
        ["growing arrays", "function () { var a = []; for (;;) a.push([1, 2, 3, 4, 5, 6, 7, 8]); }"],
        ["a huge string from repeat", "function () { return 'x'.repeat(1 << 29).length; }"],
        ["a string doubled until it is flattened", "function () { var s = 'x'; for (;;) { s = s + s; s.charCodeAt(s.length - 1); s = s.slice(1) + 'y'; } }"],
        ["new Uint8Array(1e9)", "function () { return new Uint8Array(1e9).length; }"],
        ["growing typed arrays", "function () { var a = []; for (;;) a.push(new Uint8Array(1 << 20)); }"],
        ["a deep object graph", "function () { var o = {}; for (;;) o = { next: o, pad: [o, o] }; }"],
      ];
      it.each(cases)("%s", async (_, source) => {
        const result = await expectLimit(build, source, "MemoryLimitError", { metadata: SMALL_HEAP });
        expect(result.error).toMatchObject({ details: { limit: "memoryBytes", value: 8 * MiB } });
      });

      it("an allocation pattern QuickJS under-counts fills the wasm memory to its cap: MemoryLimitError, and the grown instance is recycled", async () => {
        const engine = engines[build];
        const before = engine.poolStats()[build];
        // Small arrays cost the allocator more than QuickJS counts, so the capped wasm memory fills first.
        const result = await expectLimit(build, "function () { var a = []; for (;;) a.push([1, 2, 3, 4, 5, 6, 7, 8]); }", "MemoryLimitError", {
          metadata: { memory_limit: "128MB" },
        });
        expect(result.error).toMatchObject({ details: { limit: "memoryBytes" } });
        const after = engine.poolStats()[build];
        expect(after.discarded).toBeGreaterThan(before.discarded);
        // What is left alive is instances at their initial size: the grown one was dropped.
        expect(after.memoryBytes).toBe(after.live * 16 * MiB);
      });

      it("a task's own `throw null` (what QuickJS throws when it cannot even make its out-of-memory error) stays the task's error", async () => {
        const result = await runOn(build, "function () { throw null; }", { metadata: SMALL_HEAP });
        expect(result.error).toEqual({ type: "Error", message: "null" });
      });

      it("QuickJS's own out-of-memory and stack-overflow errors reach a task that catches them, but nothing past the limits is allocated", async () => {
        const engine = engines[build];
        const before = engine.poolStats()[build];
        const result = await runOn(
          build,
          `function () {
            var caught = [];
            try { "x".repeat(1 << 29); } catch (e) { caught.push(String(e)); }
            try { new Uint8Array(1e9); } catch (e) { caught.push(String(e)); }
            try { (function f() { f(); })(); } catch (e) { caught.push(String(e)); }
            return caught;
          }`,
          { metadata: SMALL_HEAP },
        );
        expect(result.output).toEqual(["InternalError: out of memory", "InternalError: out of memory", "InternalError: stack overflow"]);
        // The refused allocations never grew the wasm memory: only an instance made for this run (16 MiB) adds to it,
        // whatever size the instances earlier tests left behind.
        const after = engine.poolStats()[build];
        expect(after.memoryBytes - before.memoryBytes).toBe((after.live - before.live) * 16 * MiB);
        await expectNextRunWorks(build);
      });

      it("an instance that grew within its limit is recycled after the run; one that did not is kept", async () => {
        const engine = engines[build];
        const small = engine.poolStats()[build];
        expect((await runOn(build, "function () { return [1, 2, 3].length; }")).output).toBe(3);
        expect(engine.poolStats()[build].discarded).toBe(small.discarded);
        const grown = await runOn(build, "function () { var a = []; for (var i = 0; i < 40; i++) a.push(new Uint8Array(1 << 20)); return a.length; }", {
          metadata: { memory_limit: "128MB" },
        });
        expect(grown.output).toBe(40);
        const after = engine.poolStats()[build];
        expect(after.discarded).toBe(small.discarded + 1);
        expect(after.memoryBytes).toBe(after.live * 16 * MiB);
        await expectNextRunWorks(build);
      });

      it("allocations QuickJS under-counts stop where the wasm memory would grow past its initial 16 MiB plus memory_limit", async () => {
        const engine = engines[build];
        // 1 MiB each, counted by QuickJS as a few bytes: only the wasm memory's growth shows them.
        const result = await runOn(build, "function () { var a = []; try { for (;;) a.push(new Uint8Array(1 << 20)); } catch (e) { return { count: a.length, error: String(e) }; } }", {
          metadata: SMALL_HEAP,
        });
        expect(result.output).toMatchObject({ error: "InternalError: out of memory" });
        expect((result.output as { count: number }).count).toBeGreaterThan(0);
        expect((result.output as { count: number }).count).toBeLessThanOrEqual(16 + 8);
        const after = engine.poolStats()[build];
        expect(after.memoryBytes).toBeLessThanOrEqual(after.live * (16 + 8) * MiB);
        await expectNextRunWorks(build);
      });

      it("a memory bomb that ends in MemoryLimitError without growing the wasm memory keeps its instance, and the next run sees nothing of it", async () => {
        const engine = engines[build];
        await expectNextRunWorks(build);
        const before = engine.poolStats()[build];
        const bomb = "function () { globalThis.leaked = 'bomb'; Object.prototype.polluted = 1; var kept = []; for (;;) kept.push(new Array(1024).fill(kept.length)); }";
        await expectLimit(build, bomb, "MemoryLimitError", { metadata: { memory_limit: "2MB" } });
        const after = engine.poolStats()[build];
        // Restored from its snapshot instead of re-created: nothing was made or dropped.
        expect(after).toMatchObject({ created: before.created, discarded: before.discarded, live: before.live });
        const next = await runOn(build, "function () { return [typeof leaked, typeof ({}).polluted, typeof kept]; }");
        expect(next.output).toEqual(["undefined", "undefined", "undefined"]);
      });
    });

    describe("stack: each ends in StackLimitError, never a host crash", () => {
      const cases: [string, string][] = [
        ["unbounded recursion", "function () { function f(n) { return f(n + 1) + 1; } return f(0); }"],
        ["recursion through a getter", "function () { var o = {}; Object.defineProperty(o, 'x', { get: function () { return this.x + 1; } }); return o.x; }"],
        ["recursion through a JSON.parse reviver", "function () { function r(k, v) { return JSON.parse('[1]', r); } return JSON.parse('[1]', r); }"],
        ["recursion through toString", "function () { var o = { toString: function () { return 'x' + o; } }; return String(o); }"],
        ["recursion through a Proxy trap", "function () { var p = new Proxy({}, { get: function (t, k, r) { return r[k]; } }); return p.x; }"],
        ["JSON.stringify of a deeply nested object", "function () { var o = {}; for (var i = 0; i < 100000; i++) o = { a: o }; return JSON.stringify(o).length; }"],
        ["returning a deeply nested object", "function () { var o = {}; for (var i = 0; i < 100000; i++) o = { a: o }; return o; }"],
        ["JSON.parse of deeply nested arrays", "function () { return JSON.parse('['.repeat(100000) + ']'.repeat(100000)).length; }"],
        ["eval of deeply nested literals", "function () { return eval('['.repeat(100000) + ']'.repeat(100000)).length; }"],
      ];
      it.each(cases)("%s", async (_, source) => {
        const result = await expectLimit(build, source, "StackLimitError");
        expect(result.error).toMatchObject({ details: { limit: "stackBytes" } });
      });
    });

    describe("escapes reach only the guest global", () => {
      it("constructor.constructor, Function, eval, indirect eval, Reflect and async/generator constructors all give the guest's globalThis", async () => {
        const result = await runOn(
          build,
          `function () {
            var found = [
              ({}).constructor.constructor("return this")(),
              Function("return this")(),
              (0, eval)("this"),
              eval("(function () { return this; })()"),
              Reflect.apply(Function, null, ["return this"])(),
              Reflect.construct(Function, ["return this"])(),
              Object.getPrototypeOf(function* () {}).constructor("return this")().next().value,
              [].map.constructor("return this")(),
            ];
            var viaAsync = (async function () {}).constructor("return this");
            return { same: found.map(function (g) { return g === globalThis; }), asyncIsAFunction: typeof viaAsync };
          }`,
        );
        expect(result.error).toBeUndefined();
        expect(result.output).toEqual({ same: Array(8).fill(true), asyncIsAFunction: "function" });
      });

      it("no host object is reachable by name, through eval, or along the global's prototype chain; fetch is the guest's bridge", async () => {
        const result = await runOn(
          build,
          `function (input) {
            var G = Function("return this")();
            var chain = [];
            for (var p = G; p !== null; p = Object.getPrototypeOf(p)) chain.push(Object.getOwnPropertyNames(p).sort());
            var imported;
            try { imported = typeof import("os"); } catch (e) { imported = e.name; }
            return {
              names: chain[0],
              chainLength: chain.length,
              objectPrototype: chain[1].join() === Object.getOwnPropertyNames(Object.prototype).sort().join(),
              byName: input.hostNames.filter(function (n) { return typeof G[n] !== "undefined"; }),
              byEval: input.hostNames.filter(function (n) { return eval("typeof " + n) !== "undefined"; }),
              byFunction: input.hostNames.filter(function (n) { return Function("return typeof " + n)() !== "undefined"; }),
              fetchSource: /\\[native code\\]/.test(Function.prototype.toString.call(fetch)) ? "native" : "guest",
              imported: imported,
            };
          }`,
          { input: { hostNames: HOST_NAMES } },
        );
        expect(result.error).toBeUndefined();
        const output = result.output as { names: string[]; [key: string]: unknown };
        expect(output.names.filter((name) => !ALLOWED_GLOBALS.has(name))).toEqual([]);
        expect(output).toMatchObject({ chainLength: 2, objectPrototype: true, byName: [], byEval: [], byFunction: [], fetchSource: "guest" });
        // Dynamic import has no module loader behind it: a promise that rejects, never a host module.
        expect(output.imported).toBe("object");
      });

      it("prototype and builtin changes in one execution are invisible to the next", async () => {
        const polluter = await runOn(
          build,
          `function () {
            Object.prototype.x = 1;
            Array.prototype.push = function () { return "hijacked"; };
            Function.prototype.call = function () { return "hijacked"; };
            String.prototype.toUpperCase = function () { return "hijacked"; };
            Object.defineProperty(Object.prototype, "toJSON", { value: function () { return "hijacked"; }, configurable: true });
            Math.random = function () { return 4; };
            JSON.parse = function () { return "hijacked"; };
            Object.freeze(Array.prototype);
            return "done";
          }`,
        );
        expect(polluter.status).toBe("completed");
        const reader = await runOn(
          build,
          `function () {
            var a = [];
            a.push(1);
            return {
              x: typeof ({}).x, pushed: a.length, call: typeof Math.max.call(null, 1, 2), upper: "a".toUpperCase(),
              random: Math.random() < 1, parsed: JSON.parse("[2]"), frozen: Object.isFrozen(Array.prototype),
            };
          }`,
        );
        expect(reader.output).toEqual({ x: "undefined", pushed: 1, call: "number", upper: "A", random: true, parsed: [2], frozen: false });
      });

      it("an execution's input stashed on globalThis never reaches the next execution, of the same task or another", async () => {
        const stash = `function (input) {
          var seen = typeof globalThis.stashed === "undefined" ? null : globalThis.stashed;
          globalThis.stashed = input.secret;
          Object.prototype.stashedToo = input.secret;
          return { seen: seen };
        }`;
        expect((await runOn(build, stash, { input: { secret: "task-A-secret" } })).output).toEqual({ seen: null });
        // The same task again (on the sync build it starts from its loaded snapshot), then another task.
        expect((await runOn(build, stash, { input: { secret: "task-B-secret" } })).output).toEqual({ seen: null });
        const other = await runOn(
          build,
          `function () {
            var found = Object.getOwnPropertyNames(globalThis).filter(function (n) { return /stash/.test(n); });
            return { found: found, inherited: typeof ({}).stashedToo };
          }`,
        );
        expect(other.output).toEqual({ found: [], inherited: "undefined" });
      });
    });

    describe("output and logs over their caps are refused, never truncated", () => {
      it("output: one byte over maxOutputBytes (counted in UTF-8) is OutputLimitError with no output; at the cap it passes whole", async () => {
        const limits = { maxOutputBytes: 1000 };
        // "é" is 2 bytes: a JSON string of 499 of them is 998 + 2 quote bytes = 1000.
        const at = await runOn(build, "function (input) { return 'é'.repeat(input.n); }", { input: { n: 499 }, request: { limits } });
        expect(at.output).toBe("é".repeat(499));
        const over = await expectLimit(build, "function (input) { return 'é'.repeat(input.n) + 'x'; }", "OutputLimitError", { input: { n: 499 }, request: { limits } });
        expect(over.error).toMatchObject({ details: { limit: "maxOutputBytes", value: 1000 } });
        expect(over.error!.message).toMatch(/1001 bytes exceeds the limit of 1000 bytes \(maxOutputBytes\)/);
        expect(over.output).toBeUndefined();
      });

      it("logs: a line past maxLogBytes or maxLogLines is LogLimitError, the lines before it kept whole, the task unable to catch it", async () => {
        const byBytes = await expectLimit(
          build,
          "function () { console.log('a'.repeat(600)); try { console.log('b'.repeat(600)); } catch (e) {} return 'carried on'; }",
          "LogLimitError",
          { request: { limits: { maxLogBytes: 1000 } } },
        );
        expect(byBytes.logs.map((line) => line.message)).toEqual(["a".repeat(600)]);
        expect(byBytes.error!.message).toMatch(/1000 bytes \(maxLogBytes\)/);
        const oneHugeLine = await expectLimit(build, "function () { console.log('c'.repeat(5000)); return 'carried on'; }", "LogLimitError", {
          request: { limits: { maxLogBytes: 1000 } },
        });
        expect(oneHugeLine.logs).toEqual([]);
        const byLines = await expectLimit(build, "function () { for (var i = 0; i < 50; i++) { try { console.log('line ' + i); } finally { continue; } } return 'carried on'; }", "LogLimitError", {
          request: { limits: { maxLogLines: 3 } },
        });
        expect(byLines.logs.map((line) => line.message)).toEqual(["line 0", "line 1", "line 2"]);
        expect(byLines.output).toBeUndefined();
      });
    });
  });
}
