import { SCOPES } from "../../platform/access/principal.ts";

/**
 * The shapes the API answers with (src/platform/views.ts and the routes build them), as JSON Schemas
 * for the OpenAPI document's components. Top-level properties are listed; free-form parts (a task's
 * input and output, its schemas, logs) are described, not constrained.
 */

const text = { type: "string" } as const;
const time = { type: "string", format: "date-time" } as const;
const nullable = (type: string) => ({ type: [type, "null"] });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const errorEnvelope = {
  type: "object",
  required: ["error"],
  additionalProperties: false,
  description: "Every error the API gives: a stable code, a message saying what was wrong and what to do, and details when there are any",
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable, machine-readable: not_found, invalid_request, forbidden, rate_limited, ..." },
        message: { type: "string" },
        details: { description: "Facts about the error: schema issues, the execution id, the scope needed, ..." },
      },
    },
  },
};

const version = {
  type: "object",
  required: ["id", "version", "hash", "label", "tags", "created_at"],
  properties: {
    id: text,
    version: { type: "string", description: "Semantic version from metadata.json" },
    hash: { type: "string", pattern: "^sha256:" },
    label: text,
    description: nullable("string"),
    tags: { type: "array", items: text },
    test_count: { type: "integer" },
    created_at: time,
  },
};

const task = {
  type: "object",
  required: ["name", "enabled", "created_at", "updated_at", "current_version"],
  properties: { name: text, enabled: { type: "boolean" }, created_at: time, updated_at: time, current_version: ref("Version") },
};

const taskDetail = {
  allOf: [ref("Task")],
  type: "object",
  required: ["metadata", "input_schema", "output_schema"],
  properties: {
    metadata: { type: "object", description: "The task's metadata.json" },
    input_schema: { type: ["object", "boolean"] },
    output_schema: { type: ["object", "boolean"] },
  },
};

const executionSummary = {
  type: "object",
  required: ["id", "task", "version", "trigger", "status", "started_at", "duration_ms"],
  properties: {
    id: text,
    task: text,
    version: text,
    trigger: { type: "string", description: "http, schedule, mcp, ..." },
    status: { enum: ["completed", "failed"] },
    attempt: { type: "integer" },
    schedule_id: nullable("string"),
    retry_of: nullable("string"),
    error_type: nullable("string"),
    started_at: time,
    duration_ms: { type: "number" },
  },
};

const execution = {
  allOf: [ref("ExecutionSummary")],
  type: "object",
  properties: {
    input: { description: "The input as recorded, secrets redacted" },
    output: { description: "The task's output (completed)" },
    error: { description: "The typed error (failed)" },
    logs: { type: ["array", "null"] },
    http: { type: ["array", "null"], description: "The HTTP calls the task made" },
    timings: { description: "Where the time went" },
    stored_in: { type: "string", description: "The R2 key when the record was too large for its row" },
  },
};

const executionEnvelope = {
  type: "object",
  required: ["execution_id", "status", "output", "duration_ms", "logs"],
  properties: { execution_id: text, status: { const: "completed" }, output: { description: "The task's output" }, duration_ms: { type: "number" }, logs: { type: "array" } },
};

const schedule = {
  type: "object",
  required: ["id", "task", "cron", "timezone", "enabled", "next_run_at", "source"],
  properties: {
    id: text,
    task: text,
    cron: text,
    timezone: text,
    granularity: { const: "minute" },
    note: text,
    input: { description: "Input of every run" },
    enabled: { type: "boolean" },
    paused_reason: nullable("string"),
    retry: { type: "object", properties: { max_attempts: { type: "integer" }, backoff_seconds: { type: "integer" } } },
    catch_up: { enum: ["skip", "once"] },
    next_run_at: { type: ["string", "null"], format: "date-time" },
    next_runs: { type: "array", items: time, description: "The next five run times" },
    last_run: { type: ["object", "null"] },
    counts: { type: "object", properties: { runs: { type: "integer" }, failures: { type: "integer" } } },
    source: { type: "string", description: "api or metadata" },
    created_at: time,
    updated_at: time,
  },
};

const token = {
  type: "object",
  required: ["id", "name", "scopes", "tasks", "created_at"],
  properties: {
    id: text,
    name: text,
    scopes: { type: "array", items: { enum: SCOPES } },
    tasks: { type: ["array", "null"], items: text },
    created_at: time,
    last_used_at: { type: ["string", "null"], format: "date-time" },
    revoked_at: { type: ["string", "null"], format: "date-time" },
  },
};

const problems = {
  type: "array",
  items: {
    type: "object",
    required: ["severity", "file", "message"],
    properties: { severity: { enum: ["error", "warning"] }, file: text, pointer: text, line: { type: "integer" }, column: { type: "integer" }, message: text },
  },
};

const health = {
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { enum: ["ok", "down"] },
    checks: { type: "object", properties: { d1: text, r2: text }, description: '"ok" or "down: why" for each store' },
    down: { type: "array", items: text },
    executions_refused_since: time,
  },
};

/** components.schemas of the document; routes refer to them with `schemaRef`. */
export const componentSchemas = {
  Error: errorEnvelope,
  Version: version,
  Task: task,
  TaskDetail: taskDetail,
  ExecutionSummary: executionSummary,
  Execution: execution,
  ExecutionEnvelope: executionEnvelope,
  Schedule: schedule,
  Token: token,
  Problems: problems,
  Health: health,
};

export type SchemaName = keyof typeof componentSchemas;

/** A reference to one of componentSchemas, checked by name at compile time. */
export const schemaRef = (name: SchemaName) => ref(name);
