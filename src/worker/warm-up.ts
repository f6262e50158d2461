import { env } from "cloudflare:workers";
import type { Env } from "../platform/env.ts";
import type { Hono } from "hono";
import { compileSchema, restoreBundle } from "../engine/index.ts";
import type { D1Database } from "@cloudflare/workers-types";
import { cacheBundle, engineFor } from "../platform/sandbox.ts";
import { executionRow, insertExecutions } from "../store/executions.ts";
import { listSealedSecrets } from "../store/secrets.ts";
import { findServingVersion, openDb } from "../store/tasks.ts";
import type { AppEnv } from "../http/app-env.ts";
import { BUNDLED } from "../platform/bundled-tasks.ts";

/** A task that does next to nothing: loading and running it builds the sandbox instance and goes through QuickJS's common paths. */
const WARM_TASK = {
  format: "ratchet.bundle/1",
  metadata: { uuid: "00000000-0000-4000-8000-000000000000", version: "1.0.0", label: "Warm-up", description: "run once while the isolate loads", tags: [] },
  code: "(function(input) { console.log('warm'); return { n: JSON.parse(JSON.stringify(input)).n + 1 }; })",
  input_schema: { type: "object", required: ["n"], properties: { n: { type: "number" } } },
  output_schema: { type: "object", required: ["n"], properties: { n: { type: "number" } } },
  tests: [],
};

/** A bundled task's preload run: enough to evaluate a small main.js, never enough to do real work. */
const PRELOAD_LIMITS = { cpuMs: 20, wallMs: 20 };
const refuseFetch = (): Promise<Response> => Promise.reject(new Error("no fetch while the isolate loads"));

/**
 * A D1 binding that stores nothing and answers empty: the hot path's queries are built and
 * bound against it once while the isolate loads (no I/O is allowed then), so the first request
 * does not pay for compiling Drizzle's builders and our encoders on their first call.
 */
const statement = {
  bind: () => statement,
  all: async () => ({ results: [], success: true, meta: {} }),
  raw: async () => [],
  first: async () => null,
  run: async () => ({ results: [], success: true, meta: {} }),
};
const storesNothing = { prepare: () => statement, batch: async () => [], exec: async () => ({ count: 0, duration: 0 }) } as unknown as D1Database;

/**
 * Builds the isolate's sync sandbox instance while the isolate loads, before any request:
 * instantiating QuickJS, its first calls (V8 compiles wasm functions lazily, on first use),
 * runtime, context, prelude and memory snapshot were ~90% of a fresh isolate's first request.
 * Cloudflare loads an isolate while the TLS handshake is still under way, so this mostly
 * overlaps time the client spends anyway. Then what a fresh isolate's first request paid for next
 * (measured by phases in bench:worker, about half of what was left): Hono builds its router on the
 * first match, so one is made here; the version and secrets lookups and the record's insert are built and run
 * against a D1 stand-in that stores nothing; and each bundled task is put in the bundle cache, its schemas
 * compiled, and its main.js evaluated and kept loaded on the instance by one run on a null input
 * whose result is dropped (fetch refused, 20 ms budget: at worst the task fails, as it would on
 * that input). A failure only leaves the work to the first request.
 */
export async function warmUp(app: Hono<AppEnv>): Promise<void> {
  app.router.match("POST", "/api/v1/run/warm-up");
  // workerd refuses random values while the isolate loads, and every sandbox run draws its
  // Math.random seed first. These runs get zeros (their results and execution ids are dropped,
  // never recorded); the real source is put back before any request can run.
  const random = Object.getOwnPropertyDescriptor(crypto, "getRandomValues");
  Object.defineProperty(crypto, "getRandomValues", { configurable: true, writable: true, value: <T extends ArrayBufferView | null>(array: T) => array });
  try {
    const engine = engineFor(env as unknown as Env);
    const checked = await engine.loadDocument(WARM_TASK);
    if (!checked.ok) throw new Error(`the warm-up task is not valid: ${JSON.stringify(checked.problems)}`);
    const result = await engine.execute(checked.bundle, { input: { n: 1 }, trigger: "http", fetch: (request) => fetch(request) });
    if (result.status !== "completed") throw new Error(`the warm-up task failed: ${JSON.stringify(result.error)}`);
    const dry = openDb(storesNothing);
    await Promise.all([findServingVersion(dry, WARM_TASK.metadata.label), listSealedSecrets(dry, WARM_TASK.metadata.label)]);
    await insertExecutions(dry, [await executionRow((env as unknown as Env).BUNDLES, { taskName: "warm-up", versionId: "warm-up", input: { n: 1 }, result })]);
    // The bundles packed into the Worker are in memory already: a first run of one reads no R2.
    for (const { document, hash } of BUNDLED) {
      const bundle = cacheBundle(await restoreBundle(document, hash));
      compileSchema(bundle.input_schema);
      compileSchema(bundle.output_schema);
      await engine.execute(bundle, { input: null, validateSchemas: false, trigger: "http", fetch: refuseFetch, limits: PRELOAD_LIMITS });
    }
  } catch (error) {
    console.error("warm-up failed; the first request does its work", error);
  } finally {
    if (random) Object.defineProperty(crypto, "getRandomValues", random);
    else delete (crypto as { getRandomValues?: unknown }).getRandomValues;
  }
}
