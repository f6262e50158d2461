import { describe, expect, it } from "vitest";
import type { Engine, EngineOptions, ExecuteRequest, ExecutionResult, TaskBundle } from "../../src/engine/index.ts";
import { hostileSuite } from "./hostile.ts";
import { globalsSuite } from "./suite-globals.ts";
import { replaySuite } from "./suite-replay.ts";

/**
 * The engine's behaviour, written once and run in every host: Node (test/engine) and the
 * Workers runtime (test/workers). `upstream` is a real HTTP server on 127.0.0.1.
 */
export function engineSuite(makeEngine: (options?: Omit<EngineOptions, "wasm">) => Engine, upstream: () => string): void {
  const engine = makeEngine();
  const platformFetch = (request: Request) => fetch(request);

  async function bundleOf(
    code: string,
    options: { input?: object; output?: object; metadata?: Record<string, unknown> } = {},
  ): Promise<TaskBundle> {
    const loaded = await engine.loadDocument({
      format: "ratchet.bundle/1",
      metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.2.3", label: "Test task", ...options.metadata },
      code,
      input_schema: options.input ?? {},
      output_schema: options.output ?? {},
      tests: [],
    });
    if (!loaded.ok) throw new Error(`bundle invalid: ${JSON.stringify(loaded.problems)}`);
    return loaded.bundle;
  }

  async function run(code: string, input: unknown = {}, request: Partial<ExecuteRequest> = {}, options = {}): Promise<ExecutionResult> {
    return engine.execute(await bundleOf(code, options), { input, trigger: "test", fetch: platformFetch, ...request });
  }

  /** After any failure the engine must still run the next task correctly. */
  async function expectStillWorks(): Promise<void> {
    const result = await run("(function(input) { return { doubled: input.n * 2 }; })", { n: 21 });
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ doubled: 42 });
  }

  describe("entry forms", () => {
    it("runs the guide's function expression and passes input and context", async () => {
      const result = await run(
        "(function(input, context) { return { sum: input.a + input.b, context: context }; })",
        { a: 2, b: 3 },
        { executionId: "exec-1", attempt: 2 },
      );
      expect(result.status).toBe("completed");
      expect(result.output).toEqual({
        sum: 5,
        context: { executionId: "exec-1", taskId: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", taskVersion: "1.2.3", attempt: 2, trigger: "test", secrets: {} },
      });
    });

    it("runs a declared function main", async () => {
      const result = await run("function helper(x) { return x * 3; }\nfunction main(input) { return helper(input.x); }", { x: 4 });
      expect(result.output).toBe(12);
    });

    it("resolves an async function, with several awaited fetches each getting its own answer", async () => {
      const result = await run(
        `(async function(input) {
          const first = await fetch(input.url + "/count");
          await null;
          const second = await fetch(input.url + "/count");
          const third = fetch(input.url + "/json?x=1");
          return [first.body.count, second.body.count, third.body.query.x];
        })`,
        { url: upstream() },
      );
      expect(result.status).toBe("completed");
      const [a, b, x] = result.output as [number, number, string];
      expect(b).toBe(a + 1);
      expect(x).toBe("1");
      expect(result.http).toHaveLength(3);
    });

    it("refuses code that does not evaluate to a function, naming the accepted forms", async () => {
      const loaded = await engine.loadDocument({
        format: "ratchet.bundle/1",
        metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "x" },
        code: "const myTask = (input, context) => { return 1; };",
        input_schema: {},
        output_schema: {},
        tests: [],
      });
      expect(loaded.ok).toBe(false);
      const problems = loaded.ok ? [] : loaded.problems;
      expect(problems[0]?.file).toBe("main.js");
      expect(problems[0]?.message).toMatch(/\(function\(input, context\)/);
      await expectStillWorks();
    });
  });

  describe("boundary", () => {
    it("passes strings with quotes, newlines, backslashes and non-ASCII untouched both ways", async () => {
      const text = `He said "hi"\nline2\\path\\to 'x' — ünïcödé 😀 \u0000 </script>`;
      const result = await run("(function(input) { return { echoed: input.text, length: input.text.length }; })", { text });
      expect(result.output).toEqual({ echoed: text, length: text.length });
    });

    it("gives the guest no host objects or bridge internals", async () => {
      const result = await run(`(function() {
        return {
          process: typeof process, require: typeof require, Deno: typeof Deno, WebAssembly: typeof WebAssembly,
          bridge: typeof __ratchet_host, globals: Object.getOwnPropertyNames(globalThis).filter(function (n) { return n.indexOf("__ratchet_host") >= 0; }),
          fetchSource: String(fetch).indexOf("[native code]") >= 0 ? "native" : "guest",
        };
      })`);
      expect(result.output).toEqual({ process: "undefined", require: "undefined", Deno: "undefined", WebAssembly: "undefined", bridge: "undefined", globals: [], fetchSource: "guest" });
    });

    it("keeps the runner out of the task's reach on both builds: a global of the old name changes nothing", async () => {
      const code = `var visible = Object.getOwnPropertyNames(globalThis).filter(function (n) { return n.indexOf("ratchet") >= 0; });
        globalThis.__ratchet_run = function () { return '"hijacked"'; };
        (async function(input) {
          for (var i = 0; i < input.fetches; i++) { await null; fetch(input.url + "/json?id=" + i); }
          return { visible: visible };
        })`;
      const fresh = makeEngine();
      const bundle = await bundleOf(code);
      for (const fetches of [0, 5]) {
        const result = await fresh.execute(bundle, { input: { url: upstream(), fetches }, trigger: "test", fetch: platformFetch });
        expect(result.output).toEqual({ visible: [] });
      }
      // Five fetches went on on asyncify, whose runner call can suspend.
      expect(fresh.poolStats().asyncify.created).toBe(1);
    });

    it("makes the guide's error classes real Error subclasses", async () => {
      const result = await run(`(function() {
        return ["NetworkError", "DataError", "ValidationError", "TimeoutError", "AuthenticationError", "RateLimitError"].map(function (name) {
          var error = new globalThis[name]("m");
          return [error instanceof Error, error instanceof globalThis[name], error.name, error.message];
        });
      })`);
      expect(result.output).toEqual(
        ["NetworkError", "DataError", "ValidationError", "TimeoutError", "AuthenticationError", "RateLimitError"].map((name) => [true, true, name, "m"]),
      );
    });

    it("captures console output as structured lines", async () => {
      const result = await run(`(function() {
        console.log("a", 1, { b: 2 }); console.info("i"); console.warn("w"); console.error("e"); console.debug("d");
        return null;
      })`);
      expect(result.logs.map((l) => [l.level, l.message])).toEqual([
        ["log", 'a 1 {"b":2}'],
        ["info", "i"],
        ["warn", "w"],
        ["error", "e"],
        ["debug", "d"],
      ]);
      expect(Number.isNaN(Date.parse(result.logs[0]!.time))).toBe(false);
    });
  });

  describe("fetch", () => {
    it("parses JSON bodies, keeps text bodies as text, and offers json() and text()", async () => {
      const result = await run(
        `(function(input) {
          var j = fetch(input.url + "/json?q=a%20b");
          var t = fetch(input.url + "/text");
          return { ok: j.ok, status: j.status, hello: j.body.hello, q: j.json().query.q, type: j.headers["content-type"], text: t.body, text2: t.text() };
        })`,
        { url: upstream() },
      );
      expect(result.output).toEqual({ ok: true, status: 200, hello: "world", q: "a b", type: "application/json", text: "plain text, ünïcödé", text2: "plain text, ünïcödé" });
    });

    it("sends an object body as JSON, from the third argument or options.body", async () => {
      const result = await run(
        `(function(input) {
          var a = fetch(input.url + "/echo", { method: "POST", headers: { "X-Test": "1" } }, { name: "a\\"b" });
          var b = fetch(input.url + "/echo", { method: "PUT", body: { n: 1 } });
          var c = fetch(input.url + "/echo", { method: "POST", headers: { "Content-Type": "text/plain" } }, "raw");
          return [a.body, b.body, c.body];
        })`,
        { url: upstream() },
      );
      const [a, b, c] = result.output as { method: string; headers: Record<string, string>; body: string }[];
      expect(a!.method).toBe("POST");
      expect(JSON.parse(a!.body)).toEqual({ name: 'a"b' });
      expect(a!.headers["content-type"]).toBe("application/json");
      expect(a!.headers["x-test"]).toBe("1");
      expect(b!.method).toBe("PUT");
      expect(JSON.parse(b!.body)).toEqual({ n: 1 });
      expect(c!.body).toBe("raw");
      expect(c!.headers["content-type"]).toBe("text/plain");
    });

    it("answers non-2xx with ok false instead of throwing, and traces every request", async () => {
      const result = await run(`(function(input) { var r = fetch(input.url + "/status/404?token=secret"); return { ok: r.ok, status: r.status }; })`, { url: upstream() });
      expect(result.output).toEqual({ ok: false, status: 404 });
      expect(result.http).toHaveLength(1);
      expect(result.http[0]).toMatchObject({ method: "GET", status: 404 });
      expect(result.http[0]!.url).toContain("token=redacted");
      expect(result.http[0]!.url).not.toContain("secret");
    });

    it("throws NetworkError when the connection is refused", async () => {
      const result = await run(`(function() {
        try { fetch("http://127.0.0.1:1/"); return "no error"; }
        catch (e) { return { isNetworkError: e instanceof NetworkError, name: e.name, message: e.message }; }
      })`);
      expect(result.output).toMatchObject({ isNetworkError: true, name: "NetworkError" });
      await expectStillWorks();
    });

    it("throws NetworkError when one request exceeds fetchTimeoutMs", async () => {
      const result = await run(`(function(input) { fetch(input.url + "/slow?ms=3000"); })`, { url: upstream() }, { limits: { fetchTimeoutMs: 200 } });
      expect(result.error).toMatchObject({ type: "NetworkError" });
      expect(result.error!.message).toMatch(/timed out after 200 ms/);
      await expectStillWorks();
    });

    it("ends the wait at the timeout even when the platform's fetch ignores the abort signal", async () => {
      const deaf = (request: Request) => fetch(request.url);
      const result = await run(`(function(input) { fetch(input.url + "/slow?ms=3000"); })`, { url: upstream() }, { limits: { fetchTimeoutMs: 200 }, fetch: deaf });
      expect(result.error).toMatchObject({ type: "NetworkError" });
      expect(result.error!.message).toMatch(/timed out after 200 ms/);
    });
  });

  describe("limits", () => {
    it("stops CPU-bound code with CpuLimitError that the task cannot catch", async () => {
      const result = await run("(function() { try { for (;;) {} } catch (e) { return 'caught'; } })", {}, { limits: { cpuMs: 100 } });
      expect(result.status).toBe("failed");
      expect(result.error).toMatchObject({ type: "CpuLimitError", details: { limit: "cpuMs", value: 100 } });
      expect(result.error!.message).toMatch(/cpuMs/);
      await expectStillWorks();
    });

    it("charges CPU-bound code real time where the clock moves: a 300 ms budget lasts at least about 300 ms", async () => {
      const started = performance.now();
      const result = await run("(function() { var s = 0; for (;;) s++; })", {}, { limits: { cpuMs: 300 } });
      const realMs = performance.now() - started;
      expect(result.error).toMatchObject({ type: "CpuLimitError", details: { limit: "cpuMs", value: 300 } });
      // A correctness bound, not a timing target: the guard must not charge more than what passed.
      expect(realMs).toBeGreaterThanOrEqual(300 * 0.8);
      expect(result.timings.cpuMs).toBeGreaterThanOrEqual(300);
    });

    it("ends a run waiting in fetch past the wall-clock limit with TimeLimitError", async () => {
      const result = await run(`(function(input) { try { fetch(input.url + "/slow?ms=5000"); } catch (e) { return "caught"; } })`, { url: upstream() }, { limits: { wallMs: 300 } });
      expect(result.error).toMatchObject({ type: "TimeLimitError", details: { limit: "wallMs", value: 300 } });
      await expectStillWorks();
    });

    it("honours metadata.timeout as the wall-clock limit", async () => {
      const result = await run(`(function(input) { fetch(input.url + "/slow?ms=5000"); })`, { url: upstream() }, {}, { metadata: { timeout: 250 } });
      expect(result.limits.wallMs).toBe(250);
      expect(result.error?.type).toBe("TimeLimitError");
    });

    it("stops an allocation bomb with MemoryLimitError and honours memory_limit", async () => {
      const result = await run(
        "(function() { var a = []; try { for (;;) a.push('x'.repeat(1024) + a.length); } catch (e) { for (;;) a.push(new Array(1000).fill(1)); } })",
        {},
        {},
        { metadata: { memory_limit: "8MB" } },
      );
      expect(result.limits.memoryBytes).toBe(8 * 1024 * 1024);
      expect(result.error).toMatchObject({ type: "MemoryLimitError", details: { limit: "memoryBytes" } });
      await expectStillWorks();
    });

    it("clamps what metadata asks for to the host maxima", async () => {
      const result = await run("(function() { return 1; })", {}, {}, { metadata: { memory_limit: "64GB", timeout: 999999999 } });
      expect(result.limits.memoryBytes).toBe(engine.maxima.memoryBytes);
      expect(result.limits.wallMs).toBe(engine.maxima.wallMs);
    });

    it("stops runaway recursion with StackLimitError", async () => {
      const result = await run("(function() { function f(n) { return f(n + 1) + 1; } return f(0); })");
      expect(result.error).toMatchObject({ type: "StackLimitError", details: { limit: "stackBytes" } });
      await expectStillWorks();
    });

    it("refuses fetches past maxFetches with FetchLimitError, even if the task catches it", async () => {
      const result = await run(
        `(function(input) { for (var i = 0; i < 10; i++) { try { fetch(input.url + "/json"); } catch (e) { console.log("caught " + e.name); } } return "done"; })`,
        { url: upstream() },
        { limits: { maxFetches: 3 } },
      );
      expect(result.error).toMatchObject({ type: "FetchLimitError", details: { limit: "maxFetches", value: 3 } });
      expect(result.logs).toEqual([]);
      expect(result.http).toHaveLength(3);
      await expectStillWorks();
    });

    it("refuses a response body past maxResponseBytes with FetchLimitError, declared or streamed", async () => {
      for (const path of ["/big?bytes=50000", "/stream?bytes=50000"]) {
        const result = await run(`(function(input) { return fetch(input.url + "${path}").body.length; })`, { url: upstream() }, { limits: { maxResponseBytes: 1000 } });
        expect(result.error, path).toMatchObject({ type: "FetchLimitError", details: { limit: "maxResponseBytes" } });
      }
      const within = await run(`(function(input) { return fetch(input.url + "/stream?bytes=3000").body.length; })`, { url: upstream() }, { limits: { maxResponseBytes: 5000 } });
      expect(within.output).toBe(3000);
      await expectStillWorks();
    });

    it("refuses output past maxOutputBytes with OutputLimitError", async () => {
      const result = await run("(function() { return 'x'.repeat(5000); })", {}, { limits: { maxOutputBytes: 1000 } });
      expect(result.error).toMatchObject({ type: "OutputLimitError", details: { limit: "maxOutputBytes", value: 1000 } });
      await expectStillWorks();
    });

    it("ends chatty code with LogLimitError by lines and by bytes", async () => {
      const byLines = await run("(function() { for (var i = 0; i < 100; i++) { try { console.log('line ' + i); } catch (e) { return 'caught ' + e.name; } } })", {}, { limits: { maxLogLines: 5 } });
      expect(byLines.error).toMatchObject({ type: "LogLimitError", details: { limit: "maxLogLines", value: 5 } });
      expect(byLines.logs).toHaveLength(5);
      const byBytes = await run("(function() { console.log('x'.repeat(600)); console.log('y'.repeat(600)); })", {}, { limits: { maxLogBytes: 1000 } });
      expect(byBytes.error).toMatchObject({ type: "LogLimitError", details: { limit: "maxLogBytes" } });
      await expectStillWorks();
    });
  });

  describe("schemas and errors", () => {
    const inputSchema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      required: ["name", "age"],
      properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 }, tags: { type: "array", items: { type: "string" } } },
    };

    it("checks input before running and reports every issue with its path", async () => {
      const result = await run("(function() { throw new Error('must not run'); })", { age: -1, tags: ["a", 2] }, {}, { input: inputSchema });
      expect(result.error?.type).toBe("InputSchemaError");
      const issues = (result.error!.details as { issues: { pointer: string }[] }).issues.map((i) => i.pointer).sort();
      expect(issues).toEqual(["", "/age", "/tags/1"]);
      expect(result.timings.sandboxMs).toBe(0);
    });

    it("checks output after running", async () => {
      const output = { type: "object", required: ["total"], properties: { total: { type: "number" } } };
      const result = await run("(function() { return { total: 'ten' }; })", {}, {}, { output });
      expect(result.error?.type).toBe("OutputSchemaError");
      expect((result.error!.details as { issues: { pointer: string }[] }).issues[0]!.pointer).toBe("/total");
      expect(result.output).toEqual({ total: "ten" });
    });

    it("reports a thrown guide error with its type, message and the task's own line numbers", async () => {
      const result = await run("(function(input) {\n  var x = 1;\n  throw new DataError('bad record ' + x);\n})");
      expect(result.error).toMatchObject({ type: "DataError", message: "bad record 1" });
      expect(result.error!.stack).toMatch(/main\.js:3/);
      expect(result.error!.stack).not.toMatch(/ratchet:/);
    });

    it("reports thrown non-errors and rejected async functions", async () => {
      expect((await run("(function() { throw 'plain string'; })")).error).toMatchObject({ type: "Error", message: "plain string" });
      expect((await run("(async function() { await null; throw new TypeError('late'); })")).error).toMatchObject({ type: "TypeError", message: "late" });
      expect((await run("(function() { return new Promise(function() {}); })")).error?.type).toBe("EntryPointError");
      await expectStillWorks();
    });
  });

  describe("isolation between runs", () => {
    // One instance, so every run below reuses the wasm memory the run before it used.
    const single = makeEngine({ poolSize: 1 });
    const runOn = async (code: string, input: unknown = {}) =>
      single.execute(await bundleOf(code), { input, trigger: "test", fetch: platformFetch });

    it("starts every run from a clean global state, whatever the run before it changed", async () => {
      const polluter = `(function(input) {
        globalThis.leaked = input.secret;
        Array.prototype.extra = function () { return input.secret; };
        JSON.parse = function () { return "tampered"; };
        console.log = function () {};
        Error.prototype.note = input.secret;
        return { wrote: true };
      })`;
      const reader = `(function() {
        console.log("still the platform's console");
        return {
          leaked: typeof leaked === "undefined" ? null : leaked,
          extra: typeof [].extra,
          note: typeof new Error("x").note,
          json: JSON.parse('{"a":1}'),
        };
      })`;
      expect((await runOn(polluter, { secret: "s3cret" })).output).toEqual({ wrote: true });
      const after = await runOn(reader);
      expect(after.output).toEqual({ leaked: null, extra: "undefined", note: "undefined", json: { a: 1 } });
      expect(after.logs.map((l) => l.message)).toEqual(["still the platform's console"]);
    });

    it("starts every run clean after runs that fetched", async () => {
      const polluter = `(function(input) {
        fetch(input.url + "/json?id=1");
        globalThis.leaked = "from a fetching run";
        Object.prototype.polluted = true;
        return { wrote: true };
      })`;
      const reader = `(function(input) {
        var answer = fetch(input.url + "/json?id=2");
        return { id: answer.body.query.id, leaked: typeof leaked === "undefined" ? null : leaked, polluted: typeof ({}).polluted };
      })`;
      expect((await runOn(polluter, { url: upstream() })).output).toEqual({ wrote: true });
      expect((await runOn(reader, { url: upstream() })).output).toEqual({ id: "2", leaked: null, polluted: "undefined" });
      expect(single.poolStats().sync).toMatchObject({ live: 1, discarded: 0 });
    });

    it("keeps a task loaded only when loading it touched nothing outside, and gives every run fresh top-level state", async () => {
      const counter = "var count = 0; function bump() { count += 1; return count; } (function() { return bump(); })";
      const chatty = 'console.log("loading"); (function() { return "chatty"; })';
      const clocked = "var loadedAt = Date.now(); (function() { return loadedAt; })";
      const outputs = [];
      for (const code of [counter, chatty, counter, chatty, counter]) outputs.push((await runOn(code)).output);
      expect(outputs).toEqual([1, "chatty", 1, "chatty", 1]);
      expect((await runOn(chatty)).logs.map((l) => l.message)).toEqual(["loading"]);
      const first = (await runOn(clocked)).output as number;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await runOn(clocked)).output).toBeGreaterThan(first);
    });

    it("applies each run's own limits to a loaded task", async () => {
      const bundle = await bundleOf("function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); } (function(input) { return depth(input.n); })");
      const runWith = (stackBytes: number) => single.execute(bundle, { input: { n: 400 }, trigger: "test", fetch: platformFetch, limits: { stackBytes } });
      expect((await runWith(256 * 1024)).output).toBe(400);
      expect((await runWith(16 * 1024)).error?.type).toBe("StackLimitError");
      expect((await runWith(256 * 1024)).output).toBe(400);
    });

    it("gives every run its own Math.random sequence", async () => {
      const code = "(function() { return [Math.random(), Math.random(), Math.random()]; })";
      const first = (await runOn(code)).output as number[];
      const second = (await runOn(code)).output as number[];
      expect(first).not.toEqual(second);
      for (const value of [...first, ...second]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1);
      }
    });

    it("runs correctly after a run that filled the heap, hit a limit or left a promise pending", async () => {
      const heavy = await runOn(`(function() {
        var parts = [];
        for (var i = 0; i < 20000; i++) parts.push({ i: i, text: "item " + i });
        return { count: parts.length, last: parts[parts.length - 1].text };
      })`);
      expect(heavy.output).toEqual({ count: 20000, last: "item 19999" });
      const stopped = await single.execute(await bundleOf("(function() { for (;;) {} })"), {
        input: {},
        trigger: "test",
        fetch: platformFetch,
        limits: { cpuMs: 50 },
      });
      expect(stopped.error?.type).toBe("CpuLimitError");
      const pending = await runOn("(async function() { await new Promise(function() {}); })");
      expect(pending.error?.type).toBe("EntryPointError");
      const afterwards = await runOn("(function(input) { return { sum: input.a + input.b, keys: Object.keys(globalThis).length }; })", { a: 2, b: 3 });
      expect(afterwards.output).toEqual({ sum: 5, keys: 0 });
      expect(single.poolStats().sync).toMatchObject({ live: 1, created: 1, discarded: 0 });
    });
  });

  describe("fetch by repeated runs on the sync build", () => {
    it("makes every request once, keeps logs once and gives later runs the same clock", async () => {
      const fresh = makeEngine();
      const bundle = await bundleOf(`var loadedAt = Math.random();
      (function(input) {
        var started = Date.now();
        var stamp = new Date().toISOString();
        var nonce = Math.random();
        console.log("before", loadedAt > 0);
        var first = fetch(input.url + "/json?id=" + input.id + "&t=" + started + "&n=" + nonce);
        console.log("between");
        var second = fetch(input.url + "/json?id=" + input.id + "-2");
        return { id: first.body.query.id, t: first.body.query.t === String(started), n: first.body.query.n === String(nonce), second: second.body.query.id, stamp: typeof stamp, isDate: new Date() instanceof Date };
      })`);
      const result = await fresh.execute(bundle, { input: { url: upstream(), id: "a" }, trigger: "test", fetch: platformFetch });
      expect(result.output).toEqual({ id: "a", t: true, n: true, second: "a-2", stamp: "string", isDate: true });
      expect(result.logs.map((l) => l.message)).toEqual(["before true", "between"]);
      expect(result.http.map((h) => h.url)).toEqual([expect.stringContaining("id=a&t="), expect.stringContaining("id=a-2")]);
      // Three runs: the first stops at the first fetch, the second at the second.
      expect(fresh.poolStats()).toMatchObject({ repeatedRuns: 2, asyncify: { live: 0 } });
    });

    it("goes on on asyncify past the fetches replaying suits, each request still made once", async () => {
      const fresh = makeEngine();
      const result = await fresh.execute(
        await bundleOf(`(async function(input) {
          var ids = [];
          for (var i = 0; i < 6; i++) {
            await null;
            ids.push(fetch(input.url + "/json?id=" + i).body.query.id);
          }
          return ids;
        })`),
        { input: { url: upstream() }, trigger: "test", fetch: platformFetch },
      );
      expect(result.output).toEqual(["0", "1", "2", "3", "4", "5"]);
      expect(result.http).toHaveLength(6);
      expect(fresh.poolStats().asyncify.live).toBe(1);
    });

    it("gives a task that catches fetch errors the real answer", async () => {
      const result = await run(
        `(function(input) {
          try { return { got: fetch(input.url + "/json?id=caught").body.query.id }; }
          catch (error) { return { caught: error.message }; }
        })`,
        { url: upstream() },
      );
      expect(result.output).toEqual({ got: "caught" });
    });

    it("keeps Date working as the guest expects", async () => {
      const result = await run(`(function() {
        class Stamp extends Date {}
        var fixed = new Date(2020, 0, 2);
        return {
          fixed: fixed.getFullYear() + "-" + (fixed.getMonth() + 1) + "-" + fixed.getDate(),
          utc: Date.UTC(2020, 0, 1), parsed: Date.parse("2020-01-01T00:00:00Z"),
          called: typeof Date(), sub: new Stamp(0).toISOString(), name: Date.name, length: Date.length,
          keys: Object.keys(Date).length, now: Math.abs(Date.now() - new Date().getTime()) < 1000,
          constructor: new Date().constructor === Date,
        };
      })`);
      expect(result.output).toEqual({
        fixed: "2020-1-2", utc: 1577836800000, parsed: 1577836800000, called: "string",
        sub: "1970-01-01T00:00:00.000Z", name: "Date", length: 7, keys: 0, now: true, constructor: true,
      });
    });
  });

  describe("concurrency", () => {
    it("runs executions waiting in fetch side by side, each with its own answers", async () => {
      const bundle = await bundleOf(`(function(input) {
        var a = fetch(input.url + "/slow?ms=150&id=" + input.id);
        var b = fetch(input.url + "/json?id=" + input.id);
        return { id: input.id, echoed: b.body.query.id, slow: a.body.slow, overlap: a.body.overlap };
      })`);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, id) => engine.execute(bundle, { input: { url: upstream(), id: String(id) }, trigger: "test", fetch: platformFetch })),
      );
      for (const [id, result] of results.entries()) {
        expect(result.status).toBe("completed");
        expect(result.output).toMatchObject({ id: String(id), echoed: String(id), slow: true });
      }
      // The upstream saw several of these requests in flight at once: they were not serialised.
      const overlap = Math.max(...results.map((r) => (r.output as { overlap: number }).overlap));
      expect(overlap).toBeGreaterThan(1);
    });
  });

  globalsSuite(makeEngine, upstream);
  replaySuite(makeEngine, upstream);
  hostileSuite(makeEngine, upstream);
}
