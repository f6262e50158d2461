import { describe, expect, it } from "vitest";
import type { Engine, EngineOptions, ExecutionResult } from "../../src/engine/index.ts";
import { BUILDS, buildRunner, type Build } from "./build-runner.ts";

/** A closed port on 127.0.0.1: the connection is refused. */
const REFUSED = "http://127.0.0.1:1/refused";

type Kind = "ok" | "404" | "refused";

/**
 * Whatever a task does around fetch, an execution whose runs are repeated to answer its
 * fetches (sync build) or that goes on on asyncify behaves as one run would: exact outputs,
 * logs of one run, and every request reaching the upstream once (part of the engine suite).
 */
export function replaySuite(makeEngine: (options?: Omit<EngineOptions, "wasm">) => Engine, upstream: () => string): void {
  const runOn = buildRunner(makeEngine, upstream);

  /** Requests of each kind, repeats included; on sync three at most, so that no run goes on on asyncify. */
  const PLANS: Record<Build, Kind[][]> = {
    sync: [
      ["ok", "404", "ok"],
      ["refused", "404", "404"],
      ["ok", "refused", "ok"],
    ],
    asyncify: [["ok", "404", "refused", "ok", "404", "refused", "ok"]],
  };

  /** URLs for a plan: requests of one kind alternate between two keys, so the same URL is requested again. */
  function urlsFor(plan: Kind[]): { urls: string[]; expected: string[]; keys: Map<string, number> } {
    const prefix = crypto.randomUUID();
    const keys = new Map<string, number>();
    const urls: string[] = [];
    const expected: string[] = [];
    plan.forEach((kind, i) => {
      if (kind === "refused") {
        urls.push(REFUSED);
        expected.push("NetworkError");
        return;
      }
      const key = `${prefix}-${kind}-${i % 2}`;
      const count = (keys.get(key) ?? 0) + 1;
      keys.set(key, count);
      urls.push(`${upstream()}/hit?key=${key}${kind === "404" ? "&status=404" : ""}`);
      expected.push(`${kind === "404" ? 404 : 200}:${count}`);
    });
    return { urls, expected, keys };
  }

  /** Each key reached the upstream exactly as often as the task asked: the next request is the one after. */
  async function expectHitsOnce(keys: Map<string, number>): Promise<void> {
    for (const [key, count] of keys) {
      const next = (await (await fetch(`${upstream()}/hit?key=${key}`)).json()) as { count: number };
      expect(next.count, key).toBe(count + 1);
    }
  }

  function expectNoEngineSignal(result: ExecutionResult): void {
    const text = JSON.stringify([result.output, result.logs, result.error ?? null]);
    expect(text).not.toMatch(/interrupted|not in yet|different request|SandboxError/);
  }

  describe.each(BUILDS)("fetch around task code on the %s build", (build) => {
    it.each(PLANS[build].map((plan) => [plan.join(", "), plan] as const))("a try/catch (and finally) around each fetch that goes on: the task's own answers, logs once, each request once (%s)", async (_, plan) => {
      const { urls, expected, keys } = urlsFor(plan);
      const result = await runOn(
        build,
        `function (input) {
          var out = [];
          input.urls.forEach(function (u, i) {
            try {
              try { var r = fetch(u); out.push(r.status + ":" + r.body.count); console.log("got " + i); }
              finally { console.log("finally " + i); }
            } catch (e) { out.push(e.name); console.log("failed " + i + " " + e.name); }
          });
          return out;
        }`,
        { urls },
      );
      expect(result.error).toBeUndefined();
      expect(result.output).toEqual(expected);
      expect(result.logs.map((l) => l.message)).toEqual(
        expected.flatMap((e, i) => (e === "NetworkError" ? [`finally ${i}`, `failed ${i} NetworkError`] : [`got ${i}`, `finally ${i}`])),
      );
      expect(result.http).toHaveLength(urls.length + (build === "asyncify" ? 4 : 0));
      expectNoEngineSignal(result);
      await expectHitsOnce(keys);
    });

    it("retries of the same URL: a counted loop over a refused one, then while(true) { try { fetch; break } catch {} }", async () => {
      const key = `${crypto.randomUUID()}-retry`;
      // On sync, at most three fetches, so that every run of it stays there.
      const [refusals, fail] = build === "sync" ? [0, 1] : [2, 4];
      const result = await runOn(
        build,
        `function (input) {
          var refusals = [];
          for (var i = 0; i < input.refusals; i++) { try { fetch(input.refused); refusals.push("answered"); } catch (e) { refusals.push(e.name); } }
          var attempts = 0, r;
          while (true) {
            try { attempts++; r = fetch(input.url + "/hit?key=" + input.key + "&fail=" + input.fail); if (!r.ok) throw new Error("status " + r.status); break; }
            catch (e) { console.log("attempt " + attempts + ": " + e.message); }
          }
          var plain;
          while (true) { try { plain = fetch(input.url + "/hit?key=" + input.key); break; } catch (e) {} }
          return { refusals: refusals, attempts: attempts, count: r.body.count, plain: plain.body.count };
        }`,
        { key, fail, refused: REFUSED, refusals },
      );
      expect(result.error).toBeUndefined();
      expect(result.output).toEqual({ refusals: Array(refusals).fill("NetworkError"), attempts: fail + 1, count: fail + 1, plain: fail + 2 });
      expect(result.logs.map((l) => l.message)).toEqual(Array.from({ length: fail }, (_, i) => `attempt ${i + 1}: status 503`));
      expectNoEngineSignal(result);
      await expectHitsOnce(new Map([[key, fail + 2]]));
    });

    it.each(PLANS[build].map((plan) => [plan.join(", "), plan] as const))("async/await in a loop with try/catch/finally (%s)", async (_, plan) => {
      const { urls, expected, keys } = urlsFor(plan);
      const result = await runOn(
        build,
        `async function (input) {
          var out = [];
          for (var i = 0; i < input.urls.length; i++) {
            try { var r = await fetch(input.urls[i]); await null; out.push(r.status + ":" + r.body.count); }
            catch (e) { out.push(e.name); }
            finally { console.log("finally " + i); }
          }
          return out;
        }`,
        { urls },
      );
      expect(result.output).toEqual(expected);
      expect(result.logs.map((l) => l.message)).toEqual(urls.map((_, i) => `finally ${i}`));
      expectNoEngineSignal(result);
      await expectHitsOnce(keys);
    });

    it.each(PLANS[build].map((plan) => [plan.join(", "), plan] as const))("Promise.all over async functions that catch, with finally (%s)", async (_, plan) => {
      const { urls, expected, keys } = urlsFor(plan);
      const result = await runOn(
        build,
        `async function (input) {
          var results = await Promise.all(input.urls.map(async function (u, i) {
            try { var r = await fetch(u); return r.status + ":" + r.body.count; }
            catch (e) { return e.name; }
            finally { console.log("done " + i); }
          }));
          return results;
        }`,
        { urls },
      );
      expect(result.output).toEqual(expected);
      // fetch is synchronous: a refused one throws before its await, so its finally runs first, as in any JavaScript engine.
      const order = [...expected.keys()].sort((a, b) => Number(expected[b] === "NetworkError") - Number(expected[a] === "NetworkError") || a - b);
      expect(result.logs.map((l) => l.message)).toEqual(order.map((i) => `done ${i}`));
      expectNoEngineSignal(result);
      await expectHitsOnce(keys);
    });

    it.each(PLANS[build].map((plan) => [plan.join(", "), plan] as const))("a promise chain with .catch and a sync caller of async functions (%s)", async (_, plan) => {
      const { urls, expected, keys } = urlsFor(plan);
      const result = await runOn(
        build,
        `function (input) {
          async function get(u) { return fetch(u); }
          var pending = input.urls.map(function (u) {
            return get(u).then(function (r) { return r.status + ":" + r.body.count; }).catch(function (e) { console.log("caught " + e.name); return e.name; });
          });
          return Promise.all(pending);
        }`,
        { urls },
      );
      expect(result.output).toEqual(expected);
      expect(result.logs.map((l) => l.message)).toEqual(expected.filter((e) => e === "NetworkError").map(() => "caught NetworkError"));
      expectNoEngineSignal(result);
      await expectHitsOnce(keys);
    });
  });
}
