import { env } from "cloudflare:test";
import { v7 as uuidv7 } from "uuid";
import { describe, expect, it } from "vitest";
import type { ExecutionResult } from "../../src/engine/index.ts";
import { DEFAULT_LIMITS } from "../../src/engine/limits.ts";
import { executionMetrics } from "../../src/store/executions.ts";
import { openDb } from "../../src/store/tasks.ts";
import { recordExecution } from "../../src/platform/record-writer.ts";
import { call, deploy, recordOf, uniqueName } from "./support.ts";

function resultOf(executionId: string, output: unknown): ExecutionResult {
  return {
    executionId,
    taskId: "2f0d8b5e-7c1a-4c3e-9a61-0b1f6c8d2e41",
    taskVersion: "1.0.0",
    trigger: "http",
    attempt: 1,
    status: "completed",
    output,
    logs: [],
    http: [],
    startedAt: new Date().toISOString(),
    durationMs: 1,
    timings: { inputValidationMs: 0, sandboxMs: 1, outputValidationMs: 0, cpuMs: 0 },
    limits: DEFAULT_LIMITS,
  };
}

const countOf = async (task: string) => (await env.DB.prepare("select count(*) as n from executions where task_name = ?").bind(task).first<{ n: number }>())!.n;
/** What /metrics reports for a task: the totals kept with the records. */
const totalOf = async (task: string) =>
  (await env.DB.prepare("select coalesce(sum(count), 0) as n from execution_stats where task_name = ?").bind(task).first<{ n: number }>())!.n;

describe("execution records (group commit)", () => {
  it("records every one of many concurrent invocations exactly once", async () => {
    const name = uniqueName("burst");
    await deploy(name);
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => call("POST", `/run/${name}`, { a: i, b: 1 })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const ids = replies.map((r) => r.headers.get("x-ratchet-execution-id")!);
    for (const [i, id] of ids.entries()) expect((await recordOf(id)).body).toMatchObject({ id, task: name, output: { sum: i + 1 } });
    expect(await countOf(name)).toBe(40);
    expect(await totalOf(name)).toBe(40);
  });

  it("writes the rest of a batch when one row of it is refused, and says which one failed", async () => {
    const task = uniqueName("batch");
    const good = Array.from({ length: 6 }, (_, i) => recordExecution(env, { taskName: task, versionId: "v", input: { i }, result: resultOf(uuidv7(), { i }) }));
    // NOT NULL on task_name refuses this row inside the same batch as the good ones.
    const bad = recordExecution(env, { taskName: null as never, versionId: "v", input: {}, result: resultOf(uuidv7(), {}) });
    const settled = await Promise.allSettled([...good, bad]);
    expect(settled.slice(0, 6).every((s) => s.status === "fulfilled")).toBe(true);
    expect(settled[6]).toMatchObject({ status: "rejected" });
    expect(String((settled[6] as PromiseRejectedResult).reason)).toMatch(/NOT NULL/i);
    expect(await countOf(task)).toBe(6);
    expect(await totalOf(task)).toBe(6);
  });

  it("counts a row an earlier attempt already wrote as written", async () => {
    const task = uniqueName("again");
    const record = { taskName: task, versionId: "v", input: {}, result: resultOf(uuidv7(), { once: true }) };
    await recordExecution(env, record);
    await expect(recordExecution(env, record)).resolves.toBeUndefined();
    expect(await countOf(task)).toBe(1);
    expect(await totalOf(task)).toBe(1);
  });

  it("keeps the history and counts it when the stats migration runs, and keeps counting after", async () => {
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes("executions_without_rowid"));
    expect(migration).toBeDefined();
    const task = uniqueName("backfill");
    for (const [i, durationMs] of [4, 30, 30, 60_000].entries()) {
      await recordExecution(env, { taskName: task, versionId: "v", input: { i }, result: { ...resultOf(uuidv7(), { i }), durationMs } });
    }
    const history = async () => (await env.DB.prepare("select id, task_name, status, duration_ms, input from executions order by id").all()).results;
    const before = await history();
    // The migration again over this history, as over a database the earlier migrations made: no totals yet.
    await env.DB.prepare("delete from execution_stats").run();
    for (const query of migration!.queries) await env.DB.prepare(query).run();
    expect(await history()).toEqual(before);
    const after = await executionMetrics(openDb(env.DB));
    const rows = (await env.DB.prepare("select count(*) as n, sum(duration_ms) as sum from executions").first<{ n: number; sum: number }>())!;
    expect(after.count).toBe(rows.n);
    expect(after.durationMsSum).toBe(rows.sum);
    expect(after.totals.find((t) => t.taskName === task)).toMatchObject({ status: "completed", count: 4, durationMsSum: 60_064 });
    const under = async (le: number) => (await env.DB.prepare("select count(*) as n from executions where duration_ms <= ?").bind(le).first<{ n: number }>())!.n;
    for (const bucket of after.buckets) expect(bucket.count).toBe(await under(bucket.le));
    await recordExecution(env, { taskName: task, versionId: "v", input: {}, result: { ...resultOf(uuidv7(), {}), durationMs: 1 } });
    expect((await executionMetrics(openDb(env.DB))).count).toBe(rows.n + 1);
    // The rebuilt table keeps no rowid: its rows live in the primary key.
    expect((await env.DB.prepare("select sql from sqlite_master where name = 'executions'").first<{ sql: string }>())!.sql).toMatch(/WITHOUT ROWID/i);
  });

  it("keeps the totals and the duration histogram /metrics reports in step with the rows", async () => {
    const task = uniqueName("totals");
    const histogram = async () => new Map((await executionMetrics(openDb(env.DB))).buckets.map((b) => [b.le, b.count]));
    const before = await histogram();
    const durations = [3, 7, 7, 40, 20_000];
    await Promise.all(
      durations.map((durationMs, i) =>
        recordExecution(env, { taskName: task, versionId: "v", input: { i }, result: { ...resultOf(uuidv7(), { i }), durationMs, status: i === 0 ? "failed" : "completed" } }),
      ),
    );
    const totals = (await env.DB.prepare("select status, sum(count) as count, sum(duration_ms_sum) as sum from execution_stats where task_name = ? group by status order by status").bind(task).all()).results;
    expect(totals).toEqual([
      { status: "completed", count: 4, sum: 20_054 },
      { status: "failed", count: 1, sum: 3 },
    ]);
    const added = Object.fromEntries([...(await histogram())].map(([le, count]) => [le, count - (before.get(le) ?? 0)]));
    expect(added).toEqual({ 5: 1, 10: 3, 25: 3, 50: 4, 100: 4, 250: 4, 500: 4, 1000: 4, 2500: 4, 5000: 4, 10000: 4, 30000: 5 });
  });

});
