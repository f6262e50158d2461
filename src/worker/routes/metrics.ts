import type { Context } from "hono";
import { executionMetrics } from "../../store/executions.ts";
import { openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { canTouchTask } from "../../platform/access/principal.ts";
import { recordStats } from "../../platform/record-writer.ts";
import { engineFor } from "../../platform/sandbox.ts";
import type { Route } from "../resource.ts";

const label = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

const BUILDS = ["sync", "asyncify"] as const;

/**
 * Prometheus text. Execution counts and the duration histogram come from the totals D1 keeps
 * with the records, so they cover every isolate; the record-writing and sandbox pool figures are
 * this isolate's own. A task-limited token sees only its tasks' counts (the histogram stays whole:
 * it names no task).
 */
export async function metrics(c: Context<AppEnv>): Promise<Response> {
  const recorded = await executionMetrics(openDb(c.env.DB));
  const principal = c.get("principal");
  const totals = recorded.totals.filter((t) => canTouchTask(principal, t.taskName));
  const pool = engineFor(c.env).poolStats();

  const lines = [
    "# HELP ratchet_executions_total Executions recorded, by task and status.",
    "# TYPE ratchet_executions_total counter",
    ...totals.map((t) => `ratchet_executions_total{task="${label(t.taskName)}",status="${label(t.status)}"} ${t.count}`),
    "# HELP ratchet_execution_duration_ms Execution duration in milliseconds.",
    "# TYPE ratchet_execution_duration_ms histogram",
    ...recorded.buckets.map((b) => `ratchet_execution_duration_ms_bucket{le="${b.le}"} ${b.count}`),
    `ratchet_execution_duration_ms_bucket{le="+Inf"} ${recorded.count}`,
    `ratchet_execution_duration_ms_sum ${recorded.durationMsSum}`,
    `ratchet_execution_duration_ms_count ${recorded.count}`,
    "# HELP ratchet_execution_records_lost_total Execution records D1 refused on every attempt, in this isolate (each is logged).",
    "# TYPE ratchet_execution_records_lost_total counter",
    `ratchet_execution_records_lost_total ${recordStats.lost}`,
    "# HELP ratchet_execution_records_written_total Execution records written to D1 by this isolate.",
    "# TYPE ratchet_execution_records_written_total counter",
    `ratchet_execution_records_written_total ${recordStats.written}`,
    "# HELP ratchet_execution_record_batches_total D1 batches that wrote execution records, in this isolate.",
    "# TYPE ratchet_execution_record_batches_total counter",
    `ratchet_execution_record_batches_total ${recordStats.batches}`,
    "# HELP ratchet_execution_record_rows_written_total Rows D1 reported written (what it bills: rows, index entries, totals) for those records, in this isolate.",
    "# TYPE ratchet_execution_record_rows_written_total counter",
    `ratchet_execution_record_rows_written_total ${recordStats.rowsWritten}`,
    "# HELP ratchet_sandbox_instances QuickJS sandbox instances in this isolate, by build and state.",
    "# TYPE ratchet_sandbox_instances gauge",
    ...BUILDS.flatMap((build) => [
      `ratchet_sandbox_instances{build="${build}",state="busy"} ${pool[build].busy}`,
      `ratchet_sandbox_instances{build="${build}",state="idle"} ${pool[build].idle}`,
      `ratchet_sandbox_instances{build="${build}",state="waiting"} ${pool[build].waiting}`,
    ]),
    "# HELP ratchet_sandbox_memory_bytes Wasm memory the sandbox instances of this isolate hold, by build.",
    "# TYPE ratchet_sandbox_memory_bytes gauge",
    ...BUILDS.map((build) => `ratchet_sandbox_memory_bytes{build="${build}"} ${pool[build].memoryBytes}`),
    "# HELP ratchet_sandbox_instances_created_total Sandbox instances created in this isolate.",
    "# TYPE ratchet_sandbox_instances_created_total counter",
    ...BUILDS.map((build) => `ratchet_sandbox_instances_created_total{build="${build}"} ${pool[build].created}`),
    "# HELP ratchet_sandbox_instances_discarded_total Sandbox instances dropped (grew too large or faulted) in this isolate.",
    "# TYPE ratchet_sandbox_instances_discarded_total counter",
    ...BUILDS.map((build) => `ratchet_sandbox_instances_discarded_total{build="${build}"} ${pool[build].discarded}`),
    "# HELP ratchet_sandbox_runs_repeated_total Runs repeated to give a task the answers to its fetches.",
    "# TYPE ratchet_sandbox_runs_repeated_total counter",
    `ratchet_sandbox_runs_repeated_total ${pool.repeatedRuns}`,
  ];
  return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
}

/** GET /metrics, at the root (where Prometheus looks) and under /api/v1. */
export const metricsRoute: Route<"/metrics"> = {
  scope: "read",
  doc: {
    tag: "operations",
    summary: "Prometheus metrics",
    description: "Execution counts and durations from D1 (every isolate), record writing and the sandbox pool (this isolate).",
    responses: { 200: { description: "Prometheus text exposition format 0.0.4", mediaType: "text/plain", schema: { type: "string" } } },
  },
  handler: metrics,
};
