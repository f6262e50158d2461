/** The observe tools that read one execution or the history: status, logs, trace, profile, list, metrics. */
import { z } from "zod";
import { TRIGGERS } from "../../engine/index.ts";
import type { ExecutionSummary, Workspace } from "../../workspace/workspace.ts";
import { pageOf, readOffset } from "../measure/offset-cursor.ts";
import { percentile, round2 } from "../../analysis/percentiles.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { boundedValue, errorOf, errorShape, executionUri, logEntry, logShape, traceEntry, traceShape } from "./execution-shapes.ts";

const executionId = z.string().min(1).describe("An execution_id from ratchet_execute_task or ratchet_list_executions");
const limitArg = (max: number, fallback: number) => z.number().int().min(1).max(max).optional().describe(`Items per page (default ${fallback}, at most ${max})`);
const cursorArg = z.string().optional().describe("next_cursor from the previous page");
const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** Input and output each get this much of the status answer; the resource has them whole. */
const STATUS_VALUE_BYTES = 24_000;

const getExecutionStatus = defineTool({
  name: "ratchet_get_execution_status",
  title: "Status of an execution",
  description:
    "Tells how an execution ended: status (completed or failed), the task and version, trigger, when it started and how long it took, its input and output (or error), " +
    "and how many log lines and HTTP requests it has. Runs finish within the call that starts them, so a recorded execution is never still running. " +
    'Example: {"execution_id": "0190c0de-..."}',
  toolset: "observe",
  input: z.object({ execution_id: executionId }),
  output: z.object({
    execution_id: z.string(),
    task: z.string(),
    version: z.string(),
    status: z.enum(["completed", "failed"]),
    trigger: z.string(),
    attempt: z.number(),
    schedule_id: z.string().nullable(),
    retry_of: z.string().nullable(),
    started_at: z.string(),
    duration_ms: z.number(),
    input: z.unknown().describe("As recorded: secrets redacted (null when over 24 KB: see input_omitted_bytes)"),
    input_omitted_bytes: z.number().optional(),
    output: z.unknown().describe("null when over 24 KB: see output_omitted_bytes"),
    output_omitted_bytes: z.number().optional(),
    error: errorShape.nullable(),
    log_lines: z.number(),
    http_requests: z.number(),
    resource: z.string(),
  }),
  annotations: READ_ONLY,
  async handler({ execution_id }, { workspace }) {
    const record = await workspace.getExecution(execution_id);
    const output = boundedValue(record.output, STATUS_VALUE_BYTES);
    const input = boundedValue(record.input, STATUS_VALUE_BYTES);
    return {
      execution_id: record.id,
      task: record.task,
      version: record.version,
      status: record.status,
      trigger: record.trigger,
      attempt: record.attempt,
      schedule_id: record.schedule_id,
      retry_of: record.retry_of,
      started_at: record.started_at,
      duration_ms: record.duration_ms,
      input: input.value,
      ...(input.omitted_bytes !== undefined ? { input_omitted_bytes: input.omitted_bytes } : {}),
      output: output.value,
      ...(output.omitted_bytes !== undefined ? { output_omitted_bytes: output.omitted_bytes } : {}),
      error: errorOf(record),
      log_lines: record.logs.length,
      http_requests: record.http.length,
      resource: executionUri(record.id),
    };
  },
});

/** Severity order: `level` asks for that level and above. console.log counts as info. */
const SEVERITY: Record<string, number> = { debug: 0, log: 1, info: 1, warn: 2, error: 3 };

const getExecutionLogs = defineTool({
  name: "ratchet_get_execution_logs",
  title: "Console output of an execution",
  description:
    "The console lines an execution wrote (console.log/info/warn/error/debug), oldest first, at `level` and above (debug: everything; log and info are the same level). " +
    "Paginated: at most `limit` lines per answer (fewer when they pass ~48 KB; lines over 2,000 characters are cut), next_cursor for the next page. Use it to see what a task did before it failed. " +
    'Example: {"execution_id": "0190c0de-...", "level": "warn", "limit": 50}',
  toolset: "observe",
  input: z.object({
    execution_id: executionId,
    level: z.enum(["debug", "log", "info", "warn", "error"]).optional().describe("The lowest level shown (default debug: all)"),
    limit: limitArg(500, 100),
    cursor: cursorArg,
  }),
  output: z.object({ execution_id: z.string(), matching: z.number().describe("Lines at that level and above"), total: z.number(), logs: z.array(logShape), next_cursor: z.string().nullable() }),
  annotations: READ_ONLY,
  async handler({ execution_id, level, limit, cursor }, { workspace }) {
    const record = await workspace.getExecution(execution_id);
    const least = SEVERITY[level ?? "debug"]!;
    const matching = record.logs.filter((entry) => (SEVERITY[entry.level] ?? 1) >= least);
    const page = pageOf(matching.map(logEntry), readOffset(cursor), limit ?? 100);
    return { execution_id: record.id, matching: matching.length, total: record.logs.length, logs: page.items, next_cursor: page.next_cursor };
  },
});

const getExecutionTrace = defineTool({
  name: "ratchet_get_execution_trace",
  title: "HTTP requests of an execution",
  description:
    "Every HTTP request an execution made, in order: method, URL (secrets in the query redacted), status (null when no answer came, with the error), duration and request/response sizes, " +
    "with totals. Paginated with limit/cursor. Use it when a task fails around a fetch: a 4xx/5xx, a refused connection, a slow API. " +
    'Example: {"execution_id": "0190c0de-..."}',
  toolset: "observe",
  input: z.object({ execution_id: executionId, limit: limitArg(200, 50), cursor: cursorArg }),
  output: z.object({
    execution_id: z.string(),
    totals: z.object({ requests: z.number(), failed: z.number().describe("No answer (NetworkError)"), error_statuses: z.number().describe("Answers with status >= 400"), duration_ms: z.number(), request_bytes: z.number(), response_bytes: z.number() }),
    requests: z.array(traceShape.extend({ index: z.number() })),
    next_cursor: z.string().nullable(),
  }),
  annotations: READ_ONLY,
  async handler({ execution_id, limit, cursor }, { workspace }) {
    const record = await workspace.getExecution(execution_id);
    const entries = record.http.map((entry, index) => ({ index, ...traceEntry(entry) }));
    const page = pageOf(entries, readOffset(cursor), limit ?? 50);
    const sum = (pick: (e: (typeof entries)[number]) => number) => round2(entries.reduce((total, e) => total + pick(e), 0));
    return {
      execution_id: record.id,
      totals: {
        requests: entries.length,
        failed: entries.filter((e) => e.status === null).length,
        error_statuses: entries.filter((e) => e.status !== null && e.status >= 400).length,
        duration_ms: sum((e) => e.duration_ms),
        request_bytes: sum((e) => e.request_bytes),
        response_bytes: sum((e) => e.response_bytes),
      },
      requests: page.items,
      next_cursor: page.next_cursor,
    };
  },
});

const NOT_MEASURED = "not measured" as const;
const measured = z.union([z.number(), z.literal(NOT_MEASURED)]);
/** Figures the engine reports only on some hosts, under these timing names. */
const OPTIONAL_FIGURES = { memory_high_water_bytes: "memoryHighWaterBytes", repeated_runs: "repeatedRuns" } as const;

const getExecutionProfile = defineTool({
  name: "ratchet_get_execution_profile",
  title: "Where an execution spent its time",
  description:
    "The timing profile of an execution from its record: input validation, sandbox (the run, fetch waits included) and output validation times, CPU time of the task's code, " +
    "time spent waiting for HTTP answers and each request's share of the whole duration, and the limits it ran under. " +
    `Figures the engine does not record for a run (memory high-water mark, repeated sandbox runs) are "${NOT_MEASURED}". Use ratchet_benchmark_task for timings over many runs. ` +
    'Example: {"execution_id": "0190c0de-..."}',
  toolset: "observe",
  input: z.object({ execution_id: executionId }),
  output: z.object({
    execution_id: z.string(),
    duration_ms: z.number(),
    input_validation_ms: z.number(),
    sandbox_ms: z.number(),
    output_validation_ms: z.number(),
    cpu_ms: z.number(),
    fetch_wait_ms: z.number().describe("Sum of request durations"),
    fetch_share: z.number().describe("fetch_wait_ms / duration_ms"),
    fetches: z.array(z.object({ index: z.number(), method: z.string(), url: z.string(), status: z.number().nullable(), duration_ms: z.number(), share: z.number() })),
    memory_high_water_bytes: measured,
    repeated_runs: measured,
    other_timings: z.record(z.string(), z.number()),
    limits: z.record(z.string(), z.number()).nullable(),
  }),
  annotations: READ_ONLY,
  async handler({ execution_id }, { workspace }) {
    const record = await workspace.getExecution(execution_id);
    const { inputValidationMs, sandboxMs, outputValidationMs, cpuMs, ...rest } = record.timings;
    const optional = Object.values(OPTIONAL_FIGURES) as string[];
    const figure = (name: string): number | typeof NOT_MEASURED => rest[name] ?? NOT_MEASURED;
    const duration = record.duration_ms;
    const share = (ms: number) => (duration > 0 ? Math.round((ms / duration) * 1000) / 1000 : 0);
    const fetchWait = round2(record.http.reduce((total, h) => total + h.durationMs, 0));
    return {
      execution_id: record.id,
      duration_ms: duration,
      input_validation_ms: inputValidationMs,
      sandbox_ms: sandboxMs,
      output_validation_ms: outputValidationMs,
      cpu_ms: cpuMs,
      fetch_wait_ms: fetchWait,
      fetch_share: share(fetchWait),
      fetches: record.http.map((h, index) => ({ index, method: h.method, url: h.url, status: h.status ?? null, duration_ms: h.durationMs, share: share(h.durationMs) })),
      memory_high_water_bytes: figure(OPTIONAL_FIGURES.memory_high_water_bytes),
      repeated_runs: figure(OPTIONAL_FIGURES.repeated_runs),
      other_timings: Object.fromEntries(Object.entries(rest).filter(([name]) => !optional.includes(name))),
      limits: record.limits ? { ...record.limits } : null,
    };
  },
});

const summaryShape = z.object({
  id: z.string(),
  task: z.string(),
  version: z.string(),
  trigger: z.string(),
  status: z.enum(["completed", "failed"]),
  attempt: z.number(),
  schedule_id: z.string().nullable(),
  retry_of: z.string().nullable(),
  error_type: z.string().nullable(),
  started_at: z.string(),
  duration_ms: z.number(),
});

const listExecutions = defineTool({
  name: "ratchet_list_executions",
  title: "List executions",
  description:
    "The execution history, newest first, filtered by task, status and trigger (cli, http, schedule, mcp, test); paginated with limit/cursor. " +
    "Each item is a summary (id, task, version, status, error_type, started_at, duration_ms); read one with ratchet_get_execution_status. " +
    'Example: {"task": "weather", "status": "failed", "limit": 20}',
  toolset: "observe",
  input: z.object({
    task: z.string().optional(),
    status: z.enum(["completed", "failed"]).optional(),
    trigger: z.enum(TRIGGERS).optional(),
    limit: limitArg(200, 50),
    cursor: cursorArg,
  }),
  output: z.object({ executions: z.array(summaryShape), next_cursor: z.string().nullable() }),
  annotations: READ_ONLY,
  async handler({ task, status, trigger, limit, cursor }, { workspace }) {
    const page = await workspace.listExecutions({ task, status, trigger, limit: limit ?? 50, cursor });
    return { executions: page.items.map(summaryOf), next_cursor: page.next_cursor };
  },
});

function summaryOf(item: ExecutionSummary): z.infer<typeof summaryShape> {
  return {
    id: item.id,
    task: item.task,
    version: item.version,
    trigger: item.trigger,
    status: item.status,
    attempt: item.attempt,
    schedule_id: item.schedule_id,
    retry_of: item.retry_of,
    error_type: item.error_type,
    started_at: item.started_at,
    duration_ms: item.duration_ms,
  };
}

/** Up to `window` of a task's most recent executions (newest first), read page by page. */
export async function recentExecutions(workspace: Workspace, query: { task: string; status?: "failed" }, window: number): Promise<ExecutionSummary[]> {
  const items: ExecutionSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await workspace.listExecutions({ ...query, limit: Math.min(100, window - items.length), cursor });
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < window);
  return items;
}

const countBy = (items: ExecutionSummary[], key: (item: ExecutionSummary) => string | null) => {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== null) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
};

const getTaskMetrics = defineTool({
  name: "ratchet_get_task_metrics",
  title: "Execution metrics of a task",
  description:
    "Counts and durations from a task's recorded history (its most recent `window` executions, default 500): completed and failed, failure rate, " +
    "p50/p95/max duration, executions by trigger and failures by error type. Use it to see how a task behaves over time; ratchet_benchmark_task measures it now. " +
    'Example: {"task_id": "weather"}',
  toolset: "observe",
  input: z.object({ task_id: z.string().min(1), window: z.number().int().min(1).max(2000).optional() }),
  output: z.object({
    task: z.string(),
    executions: z.number(),
    completed: z.number(),
    failed: z.number(),
    failure_rate: z.number().nullable().describe("failed / executions; null without executions"),
    duration_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable() }),
    by_trigger: z.record(z.string(), z.number()),
    error_types: z.record(z.string(), z.number()),
    first_started_at: z.string().nullable(),
    last_started_at: z.string().nullable(),
    window: z.number(),
    window_full: z.boolean().describe("true: older executions exist beyond the window"),
  }),
  annotations: READ_ONLY,
  async handler({ task_id, window }, { workspace }) {
    const size = window ?? 500;
    const items = await recentExecutions(workspace, { task: task_id }, size);
    const durations = items.map((i) => i.duration_ms);
    const failed = items.filter((i) => i.status === "failed").length;
    return {
      task: task_id,
      executions: items.length,
      completed: items.length - failed,
      failed,
      failure_rate: items.length > 0 ? Math.round((failed / items.length) * 1000) / 1000 : null,
      duration_ms: {
        p50: percentile(durations, 50),
        p95: percentile(durations, 95),
        max: durations.length > 0 ? Math.max(...durations) : null,
        mean: durations.length > 0 ? round2(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
      },
      by_trigger: countBy(items, (i) => i.trigger),
      error_types: countBy(items, (i) => i.error_type),
      first_started_at: items.at(-1)?.started_at ?? null,
      last_started_at: items[0]?.started_at ?? null,
      window: size,
      window_full: items.length >= size,
    };
  },
});

export const historyTools: ToolDefinition[] = [getExecutionStatus, getExecutionLogs, getExecutionTrace, getExecutionProfile, listExecutions, getTaskMetrics] as ToolDefinition[];
