import type { ExecutionRow } from "../store/executions.ts";
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
