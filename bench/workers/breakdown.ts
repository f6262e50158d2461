/**
 * Diagnostic routes for `npm run bench:worker`: the pieces of POST /api/v1/run/{name} one at a
 * time, built from the Worker's own modules (src/ is imported, never changed), so the difference
 * between the no-sandbox baseline and the full route can be split into "sandbox" and "recording".
 *   POST /sandbox         Engine.execute of tasks/addition, nothing stored
 *   POST /sandbox-record  the same, then recordExecution (D1 insert) through waitUntil, as invokeTask does
 *   POST /record          no sandbox: recordExecution of a canned result under a fresh id
 * Routes with "record" write rows with task_name "bench-breakdown".
 */
import { Hono } from "hono";
import type { ExecutionResult, TaskBundle } from "../../src/engine/index.ts";
import { recordExecution } from "../../src/store/executions.ts";
import { openDb } from "../../src/store/tasks.ts";
import type { AppEnv } from "../../src/worker/app-env.ts";
import type { Env } from "../../src/worker/env.ts";
import bundled from "../../src/worker/generated/tasks.json" with { type: "json" };
import { engineFor } from "../../src/worker/sandbox.ts";

const platformFetch = (request: Request): Promise<Response> => fetch(request);

let addition: Promise<TaskBundle> | undefined;

/** The packed tasks/addition bundle, validated once per isolate (the Worker caches it by hash the same way). */
function additionBundle(env: Env): Promise<TaskBundle> {
  addition ??= (async () => {
    const packed = (bundled as { name: string; document: unknown }[]).find((t) => t.name === "addition");
    if (!packed) throw new Error("tasks/addition is not in src/worker/generated/tasks.json; run npm run pack-tasks");
    const checked = await engineFor(env).loadDocument(packed.document);
    if (!checked.ok) throw new Error(`tasks/addition did not load: ${JSON.stringify(checked.problems)}`);
    return checked.bundle;
  })();
  return addition;
}

async function execute(env: Env, input: unknown): Promise<ExecutionResult> {
  return engineFor(env).execute(await additionBundle(env), { input, trigger: "http", fetch: platformFetch });
}

function record(env: Env, input: unknown, result: ExecutionResult): Promise<unknown> {
  return recordExecution(openDb(env.DB), env.BUNDLES, { taskName: "bench-breakdown", versionId: "bench", input, result });
}

let canned: Promise<ExecutionResult> | undefined;

const app = new Hono<AppEnv>();

app.post("/sandbox", async (c) => {
  const result = await execute(c.env, await c.req.json());
  return c.json(result.output as never, result.status === "completed" ? 200 : 422);
});

app.post("/sandbox-record", async (c) => {
  const input = await c.req.json();
  const result = await execute(c.env, input);
  c.executionCtx.waitUntil(record(c.env, input, result));
  return c.json(result.output as never, result.status === "completed" ? 200 : 422);
});

app.post("/record", async (c) => {
  const input = await c.req.json();
  // One real result, made once; every request stores a copy under a new id (the primary key).
  canned ??= execute(c.env, input);
  const result = { ...(await canned), executionId: crypto.randomUUID(), startedAt: new Date().toISOString() };
  c.executionCtx.waitUntil(record(c.env, input, result));
  return c.json(result.output as never, 200);
});

export default app;
