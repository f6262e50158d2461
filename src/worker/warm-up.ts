import { env } from "cloudflare:workers";
import type { Env } from "../platform/env.ts";
import { restoreBundle } from "../engine/index.ts";
import { cacheBundle, engineFor } from "../platform/sandbox.ts";
import { BUNDLED } from "./bundled-tasks.ts";

/** A task that does next to nothing: loading and running it builds the sandbox instance and goes through QuickJS's common paths. */
const WARM_TASK = {
  format: "ratchet.bundle/1",
  metadata: { uuid: "00000000-0000-4000-8000-000000000000", version: "1.0.0", label: "Warm-up", description: "run once while the isolate loads", tags: [] },
  code: "(function(input) { console.log('warm'); return { n: JSON.parse(JSON.stringify(input)).n + 1 }; })",
  input_schema: { type: "object", required: ["n"], properties: { n: { type: "number" } } },
  output_schema: { type: "object", required: ["n"], properties: { n: { type: "number" } } },
  tests: [],
};

/**
 * Builds the isolate's sync sandbox instance while the isolate loads, before any request:
 * instantiating QuickJS, its first calls (V8 compiles wasm functions lazily, on first use),
 * runtime, context, prelude and memory snapshot were ~90% of a fresh isolate's first request.
 * Cloudflare loads an isolate while the TLS handshake is still under way, so this mostly
 * overlaps time the client spends anyway. The bundled tasks' bundles are put in the bundle cache
 * too. A failure only leaves the work to the first request.
 */
export async function warmUp(): Promise<void> {
  // workerd refuses random values while the isolate loads, and every sandbox run draws its
  // Math.random seed first. This run's seed is never read (its code calls no Math.random), so it
  // gets zeros, and so does its execution id (never recorded); the real source is put back before
  // any request can run.
  const random = Object.getOwnPropertyDescriptor(crypto, "getRandomValues");
  Object.defineProperty(crypto, "getRandomValues", { configurable: true, writable: true, value: <T extends ArrayBufferView | null>(array: T) => array });
  try {
    const engine = engineFor(env as unknown as Env);
    const checked = await engine.loadDocument(WARM_TASK);
    if (!checked.ok) throw new Error(`the warm-up task is not valid: ${JSON.stringify(checked.problems)}`);
    const result = await engine.execute(checked.bundle, { input: { n: 1 }, trigger: "http", fetch: (request) => fetch(request) });
    if (result.status !== "completed") throw new Error(`the warm-up task failed: ${JSON.stringify(result.error)}`);
    // The bundles packed into the Worker are in memory already: a first run of one reads no R2.
    for (const { document, hash } of BUNDLED) cacheBundle(await restoreBundle(document, hash));
  } catch (error) {
    console.error("warm-up failed; the first request does its work", error);
  } finally {
    if (random) Object.defineProperty(crypto, "getRandomValues", random);
    else delete (crypto as { getRandomValues?: unknown }).getRandomValues;
  }
}
