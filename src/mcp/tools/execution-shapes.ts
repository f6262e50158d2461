/** Zod shapes and converters for executions as the runs and observe tools answer them. */
import { z } from "zod";
import type { HttpTraceEntry, LogEntry } from "../../engine/index.ts";
import type { ExecutionRecord } from "../../workspace/workspace.ts";
import { shortStack } from "../../analysis/source.ts";

export const errorShape = z.object({
  type: z.string().describe("InputSchemaError, OutputSchemaError, a limit error (CpuLimitError...), NetworkError, or what the task threw"),
  message: z.string(),
  stack: z.string().optional().describe("Guest stack with main.js:LINE:COL"),
  details: z.unknown().optional().describe("Schema issues with JSON Pointers, the limit hit, ..."),
});

export const logShape = z.object({ level: z.string(), time: z.string(), message: z.string() });

export const traceShape = z.object({
  method: z.string(),
  url: z.string().describe("Secrets in the query are redacted"),
  status: z.number().nullable().describe("null when no answer came (see error)"),
  duration_ms: z.number(),
  request_bytes: z.number(),
  response_bytes: z.number(),
  error: z.string().optional(),
  redirects: z.array(z.string()).optional().describe("Where redirects led, hop by hop (each judged by the egress rules); the last answered or was refused"),
});

export const timingsShape = z.record(z.string(), z.number()).describe("ms: inputValidationMs, sandboxMs, outputValidationMs, cpuMs, ...");

/** What an answer carries of a value that may be large (an output up to 1 MiB): the value, or null and its size. */
export const OUTPUT_INLINE_BYTES = 32_000;

export function boundedValue(value: unknown, limit = OUTPUT_INLINE_BYTES): { value: unknown; omitted_bytes?: number } {
  if (value === undefined) return { value: null };
  const bytes = new TextEncoder().encode(JSON.stringify(value)).byteLength;
  return bytes <= limit ? { value } : { value: null, omitted_bytes: bytes };
}

export const executionUri = (id: string) => `ratchet://executions/${id}`;

export function traceEntry(entry: HttpTraceEntry): z.infer<typeof traceShape> {
  return {
    method: entry.method,
    url: entry.url,
    status: entry.status ?? null,
    duration_ms: entry.durationMs,
    request_bytes: entry.requestBytes,
    response_bytes: entry.responseBytes,
    ...(entry.error !== undefined ? { error: entry.error } : {}),
    ...(entry.redirects !== undefined ? { redirects: entry.redirects } : {}),
  };
}

/** Log lines longer than this are cut in answers (the record keeps them whole). */
const LOG_MESSAGE_CHARS = 2_000;

export function logEntry(entry: LogEntry): z.infer<typeof logShape> {
  const message = entry.message.length > LOG_MESSAGE_CHARS ? `${entry.message.slice(0, LOG_MESSAGE_CHARS)}… (${entry.message.length} characters)` : entry.message;
  return { level: entry.level, time: entry.time, message };
}

export function errorOf(record: ExecutionRecord): z.infer<typeof errorShape> | null {
  if (!record.error) return null;
  const stack = shortStack(record.error.stack);
  return {
    type: record.error.type,
    message: record.error.message,
    ...(stack !== undefined ? { stack } : {}),
    ...(record.error.details !== undefined ? { details: record.error.details } : {}),
  };
}

const RUN_ITEMS = { logs: 100, http: 50 };
const RUN_ITEM_BYTES = 16_000;

/** The first items of a run's logs or trace, within the room a run's answer leaves for each (never none). */
function firstWithin<T>(items: T[], count: number): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const item of items.slice(0, count)) {
    bytes += JSON.stringify(item).length;
    if (out.length > 0 && bytes > RUN_ITEM_BYTES) break;
    out.push(item);
  }
  return out;
}

/** The answer of execute_task and replay_execution: result, logs and timings, bounded. */
export const runResultShape = z.object({
  execution_id: z.string(),
  task: z.string(),
  version: z.string(),
  status: z.enum(["completed", "failed"]),
  output: z.unknown().describe("The task's output (null when it failed, or when larger than 32 KB: see output_omitted_bytes)"),
  output_omitted_bytes: z.number().optional().describe("The output's size when it was too large to include: read it from the resource"),
  error: errorShape.nullable(),
  logs: z.array(logShape).describe("The first console lines (at most 100 and ~16 KB); ratchet_get_execution_logs pages through all"),
  log_lines: z.number(),
  http: z.array(traceShape).optional().describe("With trace: true, the first requests (at most 50 and ~16 KB); ratchet_get_execution_trace pages through all"),
  http_requests: z.number(),
  timings: timingsShape,
  duration_ms: z.number(),
  resource: z.string().describe("ratchet://executions/{id}: the whole record"),
});

export function runResult(record: ExecutionRecord, trace: boolean): z.infer<typeof runResultShape> {
  const output = boundedValue(record.output);
  return {
    execution_id: record.id,
    task: record.task,
    version: record.version,
    status: record.status,
    output: output.value,
    ...(output.omitted_bytes !== undefined ? { output_omitted_bytes: output.omitted_bytes } : {}),
    error: errorOf(record),
    logs: firstWithin(record.logs.slice(0, RUN_ITEMS.logs).map(logEntry), RUN_ITEMS.logs),
    log_lines: record.logs.length,
    ...(trace ? { http: firstWithin(record.http.slice(0, RUN_ITEMS.http).map(traceEntry), RUN_ITEMS.http) } : {}),
    http_requests: record.http.length,
    timings: { ...record.timings },
    duration_ms: record.duration_ms,
    resource: executionUri(record.id),
  };
}
