/**
 * Diagnostic routes for `npm run bench:worker`: the pieces of POST /api/v1/run/{name} one at a
 * time, built from the Worker's own modules (src/ is imported, never changed), so the difference
 * between the no-sandbox baseline and the full route can be split into "sandbox" and "recording".
 *   POST /sandbox         Engine.execute of tasks/addition, nothing stored
 *   POST /sandbox-record  the same, then recordExecution (D1 insert), answering when invokeTask's host would
 *   POST /record          no sandbox: recordExecution of a canned result under a fresh id
 *   POST /fetch           no sandbox, no D1: one fetch of input.url, as the fetch task makes (workerd's outbound HTTP cost)
 *   POST /sandbox-fetch   Engine.execute of the bench fetch task (bench/fetch-task.ts), nothing stored
 *   GET  /engine-loop?n=N N executions back to back inside one request: the engine's own cost in
 *                         workerd without HTTP or Hono (locally workerd's clock advances during CPU work)
 *   POST /d1-batches?n=N&rows=R  N record batches of R rows each, one after another (insertExecutions,
 *                         the Worker's own statement batch): what one D1 call costs in Miniflare,
 *                         measured by the bench as workerd's CPU around the request
 * Routes with "record" write rows with task_name "bench-breakdown".
 */
import type { ExecutionContext } from "@cloudflare/workers-types";
import { Hono } from "hono";
import { v7 as uuidv7 } from "uuid";
import type { ExecutionResult, TaskBundle } from "../../src/engine/index.ts";
import type { AppEnv } from "../../src/http/app-env.ts";
import type { Env } from "../../src/platform/env.ts";
import bundled from "../../src/platform/generated/tasks.json" with { type: "json" };
import { fetchTaskDocument } from "../fetch-task.ts";
import { answerableAfter } from "../../src/platform/execute-and-record.ts";
import { recordExecution } from "../../src/platform/record-writer.ts";
import { executionRow, insertExecutions } from "../../src/store/executions.ts";
import { openDb } from "../../src/store/tasks.ts";
import { engineFor } from "../../src/platform/sandbox.ts";

const platformFetch = (request: Request): Promise<Response> => fetch(request);

let addition: Promise<TaskBundle> | undefined;

/** The packed tasks/addition bundle, validated once per isolate (the Worker caches it by hash the same way). */
function additionBundle(env: Env): Promise<TaskBundle> {
  addition ??= (async () => {
    const packed = (bundled as { name: string; document: unknown }[]).find((t) => t.name === "addition");
    if (!packed) throw new Error("tasks/addition is not in src/platform/generated/tasks.json; run npm run pack-tasks");
    const checked = await engineFor(env).loadDocument(packed.document);
    if (!checked.ok) throw new Error(`tasks/addition did not load: ${JSON.stringify(checked.problems)}`);
    return checked.bundle;
  })();
  return addition;
}

async function execute(env: Env, input: unknown): Promise<ExecutionResult> {
  return engineFor(env).execute(await additionBundle(env), { input, trigger: "http", fetch: platformFetch });
}

/** Records as the Worker does, and resolves when its routes would answer (before or after the write, by EXECUTION_RECORDS). */
function record(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, input: unknown, result: ExecutionResult): Promise<void> {
  const recorded = recordExecution(env, { taskName: "bench-breakdown", versionId: "bench", input, result });
  ctx.waitUntil(recorded);
  return answerableAfter(env, recorded);
}

let fetchTask: Promise<TaskBundle> | undefined;

/** The bench fetch task, validated once per isolate. */
function fetchTaskBundle(env: Env): Promise<TaskBundle> {
  fetchTask ??= (async () => {
    const checked = await engineFor(env).loadDocument(fetchTaskDocument());
    if (!checked.ok) throw new Error(`the bench fetch task did not load: ${JSON.stringify(checked.problems)}`);
    return checked.bundle;
  })();
  return fetchTask;
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
  await record(c.env, c.executionCtx, input, result);
  return c.json(result.output as never, result.status === "completed" ? 200 : 422);
});

app.post("/record", async (c) => {
  const input = await c.req.json();
  // One real result, made once; every request stores a copy under a new id (the primary key).
  canned ??= execute(c.env, input);
  const result = { ...(await canned), executionId: uuidv7(), startedAt: new Date().toISOString() };
  await record(c.env, c.executionCtx, input, result);
  return c.json(result.output as never, 200);
});

app.post("/fetch", async (c) => {
  const { url } = await c.req.json<{ url: string }>();
  const response = await fetch(url);
  const body = (await response.json()) as { ok: boolean };
  return c.json({ status: response.status, ok: body.ok });
});

app.post("/sandbox-fetch", async (c) => {
  const result = await engineFor(c.env).execute(await fetchTaskBundle(c.env), { input: await c.req.json(), trigger: "http", fetch: platformFetch });
  return c.json(result.output as never, result.status === "completed" ? 200 : 422);
});

app.get("/engine-loop", async (c) => {
  const n = Math.min(2_000, Number(c.req.query("n") ?? "200") || 200);
  const bundle = await additionBundle(c.env);
  const engine = engineFor(c.env);
  const walls: number[] = [];
  const sums = { durationMs: 0, inputValidationMs: 0, sandboxMs: 0, outputValidationMs: 0 };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const result = await engine.execute(bundle, { input: { num1: i, num2: 1 }, trigger: "http", fetch: platformFetch });
    walls.push(performance.now() - t0);
    if (result.status !== "completed") return c.json({ error: result.error }, 500);
    sums.durationMs += result.durationMs;
    sums.inputValidationMs += result.timings.inputValidationMs;
    sums.sandboxMs += result.timings.sandboxMs;
    sums.outputValidationMs += result.timings.outputValidationMs;
  }
  const mean = (x: number) => x / n;
  return c.json({
    n,
    wallMeanMs: mean(walls.reduce((a, b) => a + b, 0)),
    durationMs: mean(sums.durationMs),
    inputValidationMs: mean(sums.inputValidationMs),
    sandboxMs: mean(sums.sandboxMs),
    outputValidationMs: mean(sums.outputValidationMs),
    pool: engine.poolStats(),
  });
});

app.post("/d1-batches", async (c) => {
  const n = Math.min(2_000, Number(c.req.query("n") ?? "100") || 100);
  const rows = Math.min(64, Number(c.req.query("rows") ?? "1") || 1);
  const result = await execute(c.env, { num1: 1, num2: 2 });
  const db = openDb(c.env.DB);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const batch = await Promise.all(
      Array.from({ length: rows }, () =>
        executionRow(c.env.BUNDLES, { taskName: "bench-breakdown", versionId: "bench", input: { num1: 1, num2: 2 }, result: { ...result, executionId: uuidv7() } }),
      ),
    );
    await insertExecutions(db, batch);
  }
  return c.json({ n, rows, wallMeanMs: (performance.now() - t0) / n });
});

export default app;
