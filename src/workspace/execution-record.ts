import type { ExecutionResult } from "../engine/index.ts";
import type { ExecutionRecord } from "./workspace.ts";

/** A run just made, as history keeps it (the API's execution view); `input` must already have its secrets redacted. */
export function executionRecord(task: string, input: unknown, result: ExecutionResult, retryOf: string | null = null): ExecutionRecord {
  return {
    id: result.executionId,
    task,
    version: result.taskVersion,
    trigger: result.trigger,
    status: result.status,
    attempt: result.attempt,
    schedule_id: result.scheduleId ?? null,
    retry_of: retryOf,
    error_type: result.error?.type ?? null,
    started_at: result.startedAt,
    duration_ms: result.durationMs,
    input,
    output: result.output ?? null,
    error: result.error ?? null,
    logs: result.logs,
    http: result.http,
    timings: result.timings,
    limits: result.limits,
  };
}
