import { cronOf } from "../schedules/service.ts";
import type { ExecutionRow } from "../store/executions.ts";
import type { ScheduleRow } from "../store/schedules.ts";
import type { TaskRow, VersionRow } from "../store/tasks.ts";

/** JSON shapes the API answers with (snake_case, stable). */

export const versionView = (v: VersionRow) => ({
  id: v.id,
  version: v.version,
  hash: v.hash,
  label: v.label,
  description: v.description,
  tags: v.tags,
  test_count: v.testCount,
  created_at: v.createdAt,
});

export const taskView = (task: TaskRow, version: VersionRow) => ({
  name: task.name,
  enabled: task.enabled,
  created_at: task.createdAt,
  updated_at: task.updatedAt,
  current_version: versionView(version),
});

export const taskDetailView = (task: TaskRow, version: VersionRow) => ({
  ...taskView(task, version),
  metadata: version.metadata,
  input_schema: version.inputSchema,
  output_schema: version.outputSchema,
});

export const executionSummaryView = (e: ExecutionRow) => ({
  id: e.id,
  task: e.taskName,
  version: e.taskVersion,
  trigger: e.trigger,
  status: e.status,
  attempt: e.attempt,
  schedule_id: e.scheduleId,
  retry_of: e.retryOf,
  error_type: e.errorType,
  started_at: e.startedAt,
  duration_ms: e.durationMs,
});

export const executionView = (e: ExecutionRow) => ({
  ...executionSummaryView(e),
  input: e.input,
  output: e.output,
  error: e.error,
  logs: e.logs,
  http: e.http,
  timings: e.timings,
  ...(e.payloadKey ? { stored_in: e.payloadKey } : {}),
});

/** A schedule; with `nextRuns`, its next run times too. */
export function scheduleView(row: ScheduleRow, nextRuns = 0) {
  const cron = cronOf(row);
  return {
    id: row.id,
    task: row.taskName,
    cron: row.cron,
    timezone: row.timezone,
    granularity: "minute",
    ...(cron.note ? { note: cron.note } : {}),
    input: row.input,
    enabled: row.enabled,
    paused_reason: row.pausedReason,
    retry: { max_attempts: row.maxAttempts, backoff_seconds: row.backoffSeconds },
    catch_up: row.catchUp,
    next_run_at: row.enabled ? row.nextRunAt : null,
    ...(nextRuns > 0 ? { next_runs: row.enabled ? cron.nextRuns(nextRuns, new Date(Date.parse(row.nextRunAt) - 1)).map((d) => d.toISOString()) : [] } : {}),
    last_run: row.lastRunAt ? { at: row.lastRunAt, status: row.lastStatus, execution_id: row.lastExecutionId } : null,
    counts: { runs: row.runCount, failures: row.failureCount },
    source: row.source,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
