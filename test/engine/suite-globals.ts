import { describe, expect, it } from "vitest";
import type { Engine, EngineOptions } from "../../src/engine/index.ts";
import { BUILDS, buildRunner } from "./build-runner.ts";

/** The Web-standard globals task code gets, on both QuickJS builds (part of the engine suite). */
export function globalsSuite(makeEngine: (options?: Omit<EngineOptions, "wasm">) => Engine, upstream: () => string): void {
  const runOn = buildRunner(makeEngine, upstream);

  describe.each(BUILDS)("Web-standard globals on the %s build", (build) => {
    const output = async (fnSource: string, input: Record<string, unknown> = {}) => {
      const result = await runOn(build, fnSource, input);
      expect(result.error).toBeUndefined();
      return result.output;
    };

    it("URL parses against a base, percent-encodes, sets parts, and keeps searchParams live both ways", async () => {
      expect(
        await output(`function () {
          var u = new URL("../b c/ü?q=a b&x=1#frag", "https://User:pw@EXAMPLE.com:443/dir/page?old=1");
          var parts = [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash];
          u.searchParams.append("y", "é &");
          var afterAppend = u.search;
          u.search = "?k=v+w&k=2";
          var fromSearch = [u.searchParams.getAll("k"), u.searchParams.get("q")];
          u.pathname = "/a/../z z"; u.hash = ""; u.port = "8443"; u.searchParams.delete("k");
          var invalid;
          try { new URL("/relative"); } catch (e) { invalid = [e instanceof TypeError, e.message]; }
          return {
            parts: parts, afterAppend: afterAppend, fromSearch: fromSearch, href: u.href, json: JSON.stringify({ u: u }), string: String(u),
            same: u.searchParams === u.searchParams, invalid: invalid,
            canParse: [URL.canParse("http://x"), URL.canParse("nope"), URL.canParse("/p", "http://h")], parse: URL.parse("::") === null,
            tag: Object.prototype.toString.call(u), ipv6: new URL("http://[::1]:8080/").host, idn: new URL("http://münchen.de/").hostname,
          };
        }`),
      ).toEqual({
        parts: ["https://User:pw@example.com/b%20c/%C3%BC?q=a%20b&x=1#frag", "https://example.com", "https:", "User", "pw", "example.com", "example.com", "", "/b%20c/%C3%BC", "?q=a%20b&x=1", "#frag"],
        afterAppend: "?q=a+b&x=1&y=%C3%A9+%26",
        fromSearch: [["v w", "2"], null],
        href: "https://User:pw@example.com:8443/z%20z",
        json: '{"u":"https://User:pw@example.com:8443/z%20z"}',
        string: "https://User:pw@example.com:8443/z%20z",
        same: true,
        invalid: [true, 'Invalid URL: "/relative"'],
        canParse: [true, false, true],
        parse: true,
        tag: "[object URL]",
        ipv6: "[::1]:8080",
        idn: "xn--mnchen-3ya.de",
      });
    });

    it("URLSearchParams builds from a string, a record or pairs, and reads, edits, sorts and serialises as the standard says", async () => {
      expect(
        await output(`function (input) {
          var fromString = new URLSearchParams("?a=1&b=x+y&a=2&c=%E2%82%AC&d=%zz&e&=f");
          var fromRecord = new URLSearchParams({ city: "São Paulo", units: "metric", n: 3 });
          var fromPairs = new URLSearchParams([["z", "1"], ["a", "2"], ["z", "0"]]);
          fromPairs.sort();
          var edited = new URLSearchParams(fromString);
          edited.set("a", "only"); edited.delete("b"); edited.append("sp ace", "<&>");
          var bad;
          try { new URLSearchParams([["one"]]); } catch (e) { bad = e instanceof TypeError; }
          var seen = [];
          fromString.forEach(function (value, key) { seen.push(key + "=" + value); });
          return {
            all: fromString.getAll("a"), b: fromString.get("b"), c: fromString.get("c"), d: fromString.get("d"), e: fromString.get("e"),
            missing: fromString.get("nope"), has: [fromString.has("a"), fromString.has("a", "2"), fromString.has("a", "3")], size: fromString.size,
            record: fromRecord.toString(), pairs: Array.from(fromPairs), sortedKeys: Array.from(fromPairs.keys()), edited: edited.toString(),
            original: fromString.toString(), seen: seen, bad: bad, apiUrl: input.url + "/json?" + new URLSearchParams({ q: "a b" }),
          };
        }`),
      ).toEqual({
        all: ["1", "2"],
        b: "x y",
        c: "€",
        d: "%zz",
        e: "",
        missing: null,
        has: [true, true, false],
        size: 7,
        record: "city=S%C3%A3o+Paulo&units=metric&n=3",
        pairs: [["a", "2"], ["z", "1"], ["z", "0"]],
        sortedKeys: ["a", "z", "z"],
        edited: "a=only&c=%E2%82%AC&d=%25zz&e=&=f&sp+ace=%3C%26%3E",
        original: "a=1&b=x+y&a=2&c=%E2%82%AC&d=%25zz&e=&=f",
        seen: ["a=1", "b=x y", "a=2", "c=€", "d=%zz", "e=", "=f"],
        bad: true,
        apiUrl: `${upstream()}/json?q=a+b`,
      });
    });

    it("TextEncoder and TextDecoder speak UTF-8: surrogate pairs, lone surrogates, invalid bytes, fatal, BOM and streaming", async () => {
      expect(
        await output(`function () {
          var enc = new TextEncoder(), dec = new TextDecoder();
          var into = new Uint8Array(5);
          var wrote = enc.encodeInto("a€😀", into);
          var fatal;
          try { new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xc3])); } catch (e) { fatal = e instanceof TypeError; }
          var stream = new TextDecoder(), streamed = stream.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }) + stream.decode(new Uint8Array([0x98, 0x80]));
          var unsupported;
          try { new TextDecoder("latin1"); } catch (e) { unsupported = e instanceof RangeError; }
          return {
            encoded: Array.from(enc.encode("a€😀")), lone: Array.from(enc.encode("x\\uD800y\\uDC00")), empty: enc.encode().length, encoding: enc.encoding,
            roundTrip: dec.decode(enc.encode("ünïcödé 😀")),
            invalid: [dec.decode(new Uint8Array([0xc0, 0x80])), dec.decode(new Uint8Array([0xed, 0xa0, 0x80])), dec.decode(new Uint8Array([0xf0, 0x9f, 0x98, 0x41])), dec.decode(new Uint8Array([0xe2, 0x82]))],
            bom: [dec.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length],
            fromBuffer: dec.decode(new Uint8Array([0x68, 0x69]).buffer), fromView: dec.decode(new DataView(new Uint8Array([0x21, 0x68, 0x69]).buffer, 1)),
            into: [wrote.read, wrote.written, Array.from(into)], fatal: fatal, streamed: streamed, unsupported: unsupported,
          };
        }`),
      ).toEqual({
        encoded: [0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
        lone: [0x78, 0xef, 0xbf, 0xbd, 0x79, 0xef, 0xbf, 0xbd],
        empty: 0,
        encoding: "utf-8",
        roundTrip: "ünïcödé 😀",
        invalid: ["\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD", "\uFFFDA", "\uFFFD"],
        bom: ["A", 2],
        fromBuffer: "hi",
        fromView: "hi",
        into: [2, 4, [0x61, 0xe2, 0x82, 0xac, 0]],
        fatal: true,
        streamed: "😀",
        unsupported: true,
      });
    });

    it("atob and btoa follow forgiving base64 and throw InvalidCharacterError as a DOMException", async () => {
      expect(
        await output(`function () {
          function failure(f) { try { f(); return "no error"; } catch (e) { return [e.name, e.code, e instanceof DOMException, e instanceof Error, typeof e.message]; } }
          return {
            encoded: [btoa(""), btoa("f"), btoa("fo"), btoa("foo"), btoa("\\u00ff\\u00fe")],
            decoded: [atob("Zm9v"), atob(" Zm 9v\\n"), atob("Zg"), atob("Zg=="), atob("Zm8=")],
            bytes: Array.from(atob("//79"), function (c) { return c.charCodeAt(0); }),
            invalid: [failure(function () { atob("Zm9v*"); }), failure(function () { atob("Z"); }), failure(function () { atob("Zg="); }), failure(function () { btoa("€"); })],
          };
        }`),
      ).toEqual({
        encoded: ["", "Zg==", "Zm8=", "Zm9v", "//4="],
        decoded: ["foo", "foo", "f", "f", "fo"],
        bytes: [255, 254, 253],
        invalid: Array(4).fill(["InvalidCharacterError", 5, true, true, "string"]),
      });
    });

    it("structuredClone copies deeply, keeps cycles and types, and refuses what cannot be cloned with DataCloneError", async () => {
      expect(
        await output(`function () {
          var shared = { n: 1 };
          var original = { shared: shared, again: shared, list: [1, "two", null, shared], date: new Date(86400000), re: /a+b/gi,
            map: new Map([["k", shared]]), set: new Set([1, 2]), bytes: new Uint16Array([1, 65535]), error: new RangeError("bad"), boxed: Object(7) };
          original.self = original;
          var copy = structuredClone(original);
          copy.shared.n = 2;
          function failure(value) { try { structuredClone(value); return "no error"; } catch (e) { return [e.name, e instanceof DOMException]; } }
          return {
            independent: original.shared.n, sharedKept: copy.shared === copy.again && copy.list[3] === copy.shared && copy.map.get("k") === copy.shared,
            cycle: copy.self === copy, date: copy.date instanceof Date && copy.date.getTime(), re: [copy.re instanceof RegExp, copy.re.source, copy.re.flags],
            set: Array.from(copy.set), bytes: [copy.bytes instanceof Uint16Array, Array.from(copy.bytes), copy.bytes.buffer !== original.bytes.buffer],
            error: [copy.error instanceof RangeError, copy.error.message], boxed: typeof copy.boxed === "object" && copy.boxed.valueOf(), notSame: copy !== original,
            refused: [failure(function () {}), failure({ f: Symbol("s") }), failure(Promise.resolve())], primitive: structuredClone("s"),
          };
        }`),
      ).toEqual({
        independent: 1,
        sharedKept: true,
        cycle: true,
        date: 86400000,
        re: [true, "a+b", "gi"],
        set: [1, 2],
        bytes: [true, [1, 65535], true],
        error: [true, "bad"],
        boxed: 7,
        notSame: true,
        refused: Array(3).fill(["DataCloneError", true]),
        primitive: "s",
      });
    });

    it("crypto.getRandomValues and randomUUID give random values, a fresh sequence per execution, and refuse bad arguments", async () => {
      const fn = `function () {
        var bytes = crypto.getRandomValues(new Uint8Array(32));
        var words = new Uint32Array(4), same = crypto.getRandomValues(words) === words;
        function failure(f) { try { f(); return "no error"; } catch (e) { return e.name; } }
        return {
          bytes: Array.from(bytes), words: Array.from(words), same: same, uuid: crypto.randomUUID(),
          refused: [failure(function () { crypto.getRandomValues(new Float64Array(2)); }), failure(function () { crypto.getRandomValues(new Uint8Array(65537)); })],
        };
      }`;
      const first = (await output(fn)) as { bytes: number[]; words: number[]; same: boolean; uuid: string; refused: string[] };
      const second = (await output(fn)) as typeof first;
      expect(first.same).toBe(true);
      expect(first.refused).toEqual(["TypeMismatchError", "QuotaExceededError"]);
      expect(first.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(first.bytes).size).toBeGreaterThan(8);
      expect(second.bytes).not.toEqual(first.bytes);
      expect(second.uuid).not.toBe(first.uuid);
    });

    it("runs microtasks, then timers in order of when they are due, waiting for them; clearTimeout and clearInterval cancel", async () => {
      const result = await runOn(
        build,
        `function () {
          var order = [], started = Date.now();
          queueMicrotask(function () { order.push("microtask"); });
          var cancelled = setTimeout(function () { order.push("cancelled"); });
          clearTimeout(cancelled);
          queueMicrotask(function () { throw new TypeError("from a microtask"); });
          var ticks = 0, interval = setInterval(function () { ticks++; order.push("tick " + ticks); if (ticks === 2) clearInterval(interval); }, 10);
          setTimeout(function (a, b) { order.push("timeout " + a + b); }, 0, "x", "y");
          order.push("sync");
          return new Promise(function (resolve) {
            // Well after the interval's second tick (due at 20 ms, later when a busy machine runs the first late).
            setTimeout(function () { console.log(order.join(", ")); resolve({ order: order.slice(), waited: Date.now() - started }); }, 80);
          });
        }`,
      );
      expect(result.error).toBeUndefined();
      const output = result.output as { order: string[]; waited: number };
      expect(output.order).toEqual(["sync", "microtask", "timeout xy", "tick 1", "tick 2"]);
      // The run waited for its timers (a lower bound, not a timing target).
      expect(output.waited).toBeGreaterThanOrEqual(80);
      expect(result.logs.map((l) => [l.level, l.message])).toEqual([
        ["error", expect.stringMatching(/^Uncaught TypeError: from a microtask/)],
        ["log", "sync, microtask, timeout xy, tick 1, tick 2"],
      ]);
    });

    it("does not charge a timer's wait to the CPU budget, and ends a wait past the wall-clock limit with TimeLimitError", async () => {
      const waited = await runOn(build, `function () { return new Promise(function (resolve) { setTimeout(function () { resolve("done"); }, 300); }); }`, {}, { limits: { cpuMs: 150 } });
      expect(waited.output).toBe("done");
      const tooLong = await runOn(
        build,
        `function () { try { setTimeout(function () { console.log("never"); }, 5000); } catch (e) { return "caught"; } }`,
        {},
        { limits: { wallMs: 1000 } },
      );
      expect(tooLong.error).toMatchObject({ type: "TimeLimitError", details: { limit: "wallMs", value: 1000 } });
      expect(tooLong.logs).toEqual([]);
    });

    it("runs what a task queued after it returned a plain value", async () => {
      const result = await runOn(build, `function () { setTimeout(function () { console.log("after return"); }); queueMicrotask(function () { console.log("microtask"); }); return 1; }`);
      expect(result.output).toBe(1);
      expect(result.logs.map((l) => l.message)).toEqual(["microtask", "after return"]);
    });

    it("adds no enumerable globals and no host objects", async () => {
      expect(
        await output(`function () {
          return { keys: Object.keys(globalThis), types: [typeof URL, typeof URLSearchParams, typeof TextEncoder, typeof TextDecoder, typeof atob, typeof btoa,
            typeof structuredClone, typeof crypto.getRandomValues, typeof crypto.randomUUID, typeof queueMicrotask, typeof setTimeout, typeof DOMException] };
        }`),
      ).toEqual({ keys: [], types: Array(12).fill("function") });
    });
  });
}
