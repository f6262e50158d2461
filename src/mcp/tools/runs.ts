import pLimit from "p-limit";
import { z } from "zod";
import { compileSchema, REDACTED, type Problem } from "../../engine/index.ts";
import { WorkspaceError, type Workspace } from "../../workspace/workspace.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { boundedValue, runResult, runResultShape } from "./execution-shapes.ts";
import { problemShape } from "../task-shapes.ts";

const taskRef = z.string().min(1).describe("A task folder path, a task name under the tasks folder, or (on the Worker) a deployed task's name");

const issueShape = z.object({ pointer: z.string().describe('JSON Pointer into the value ("" is the root)'), message: z.string(), keyword: z.string() });

const executeTask = defineTool({
  name: "ratchet_execute_task",
  title: "Execute a task",
  description:
    "Runs a task once with an input, in the sandbox, checking input and output against its schemas, and records the execution (trigger \"mcp\"). " +
    "Use it to try a task while developing it. Returns the output or the typed error (InputSchemaError, NetworkError, CpuLimitError, what main.js threw...), " +
    "the execution_id (for ratchet_get_execution_logs / _trace / _profile and ratchet_analyze_execution_error), the first console lines and the timings; " +
    "trace: true adds the HTTP requests it made. A failed run is a normal answer with status \"failed\", not a tool error. " +
    'Example: {"task_id_or_path": "weather", "input": {"city": "Paris"}, "trace": true}',
  toolset: "runs",
  input: z.object({
    task_id_or_path: taskRef,
    input: z.unknown().describe("The task's input (checked against input.schema.json)"),
    trace: z.boolean().optional().describe("Include the HTTP requests (method, URL, status, duration, sizes) in the answer"),
  }),
  output: runResultShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ task_id_or_path, input, trace }, { workspace }) {
    const record = await workspace.execute(task_id_or_path, input ?? null, { trigger: "mcp" });
    return runResult(record, trace ?? false);
  },
});

const MAX_BATCH = 100;
const ITEM_OUTPUT_BYTES = 2_000;
/** Outputs one batch answer carries in all; the rest are left out so the answer stays well under ~80 KB. */
const BATCH_OUTPUT_BYTES = 40_000;

const batchItemShape = z.object({
  index: z.number(),
  task: z.string(),
  status: z.enum(["completed", "failed", "refused", "cancelled"]).describe("refused: the run could not start (unknown task, invalid folder); cancelled: the call was cancelled first"),
  execution_id: z.string().nullable(),
  duration_ms: z.number().nullable(),
  output: z.unknown().describe("null when left out (see output_omitted): read it with ratchet_get_execution_status or the execution resource"),
  output_omitted: z.boolean().optional().describe("true: the output was over 2 KB, or the answer had no room left for it"),
  error: z.object({ type: z.string(), message: z.string() }).nullable(),
});

type BatchItem = z.infer<typeof batchItemShape>;

async function runItem(workspace: Workspace, index: number, task: string, input: unknown, signal: AbortSignal): Promise<BatchItem> {
  const base = { index, task };
  if (signal.aborted) return { ...base, status: "cancelled", execution_id: null, duration_ms: null, output: null, error: null };
  try {
    const record = await workspace.execute(task, input ?? null, { trigger: "mcp" });
    const output = boundedValue(record.output, ITEM_OUTPUT_BYTES);
    return {
      ...base,
      status: record.status,
      execution_id: record.id,
      duration_ms: record.duration_ms,
      output: output.value,
      ...(output.omitted_bytes !== undefined ? { output_omitted: true } : {}),
      error: record.error ? { type: record.error.type, message: record.error.message } : null,
    };
  } catch (error) {
    if (!(error instanceof WorkspaceError)) throw error;
    return { ...base, status: "refused", execution_id: null, duration_ms: null, output: null, error: { type: error.code, message: error.hint ? `${error.message} (${error.hint})` : error.message } };
  }
}

const executeTaskBatch = defineTool({
  name: "ratchet_execute_task_batch",
  title: "Execute a task on many inputs (or many tasks)",
  description:
    `Runs one task on many inputs, or many {task_id_or_path, input} runs, at most \`parallel\` at a time (default 4), each recorded as its own execution. At most ${MAX_BATCH} runs per call. ` +
    "Sends progress notifications as runs finish when the client asks for them; cancelling the call stops runs not yet started (they come back as \"cancelled\"). " +
    "Returns one result per run in the order given (status, execution_id, output or error) and a summary. " +
    'Example: {"task_id_or_path": "addition", "inputs": [{"num1": 1, "num2": 2}, {"num1": 3, "num2": 4}], "parallel": 2}',
  toolset: "runs",
  input: z.object({
    task_id_or_path: taskRef.optional().describe("The task to run on every one of `inputs`"),
    inputs: z.array(z.unknown()).max(MAX_BATCH).optional(),
    runs: z.array(z.object({ task_id_or_path: taskRef, input: z.unknown() })).max(MAX_BATCH).optional().describe("Or: different tasks, each with its input"),
    parallel: z.number().int().min(1).max(16).optional().describe("Runs at once (default 4)"),
  }),
  output: z.object({
    summary: z.object({ total: z.number(), completed: z.number(), failed: z.number(), refused: z.number(), cancelled: z.number() }),
    results: z.array(batchItemShape),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ task_id_or_path, inputs, runs, parallel }, { workspace, progress, signal }) {
    const planned = runs ? runs.map((r) => ({ task: r.task_id_or_path, input: r.input })) : task_id_or_path && inputs ? inputs.map((input) => ({ task: task_id_or_path, input })) : undefined;
    if (!planned || (runs && inputs)) {
      throw new WorkspaceError("bad_request", "give either task_id_or_path with inputs, or runs", {
        hint: 'One task on many inputs: {"task_id_or_path": "t", "inputs": [...]}; several tasks: {"runs": [{"task_id_or_path": "t", "input": {...}}]}.',
      });
    }
    const limit = pLimit(parallel ?? 4);
    let done = 0;
    const results = await Promise.all(
      planned.map((run, index) =>
        limit(async () => {
          const item = await runItem(workspace, index, run.task, run.input, signal);
          done += 1;
          await progress(done, planned.length, `${run.task} #${index}: ${item.status}`);
          return item;
        }),
      ),
    );
    let room = BATCH_OUTPUT_BYTES;
    for (const item of results) {
      room -= JSON.stringify(item.output).length;
      if (room < 0 && item.output !== null) Object.assign(item, { output: null, output_omitted: true });
    }
    const count = (status: BatchItem["status"]) => results.filter((r) => r.status === status).length;
    return {
      summary: { total: results.length, completed: count("completed"), failed: count("failed"), refused: count("refused"), cancelled: count("cancelled") },
      results,
    };
  },
});

/** Every problem of a task's files as they are on disk (readFiles does not refuse an invalid task). */
async function checkTask(workspace: Workspace, ref: string): Promise<{ valid: boolean; errors: Problem[]; warnings: Problem[]; checked: { file: string; checks: string[] }[] }> {
  const result = await workspace.check(await workspace.readFiles(ref));
  const all = result.ok ? result.warnings : result.problems;
  return { valid: result.ok, errors: all.filter((p) => p.severity === "error"), warnings: all.filter((p) => p.severity === "warning"), checked: result.checked };
}

const validateTaskStructure = defineTool({
  name: "ratchet_validate_task_structure",
  title: "Validate a task's files",
  description:
    "Checks a whole task as `ratchet validate` does: metadata.json, both schemas against their meta-schema, every test file, and main.js (syntax and entry function). " +
    "Use it after editing files by hand or before deploying. Returns valid, every error and warning (file, line/column or JSON Pointer, message, hint) and what was checked per file. " +
    'Example: {"task_id_or_path": "weather"}',
  toolset: "runs",
  input: z.object({ task_id_or_path: taskRef }),
  output: z.object({
    valid: z.boolean(),
    errors: z.array(problemShape),
    warnings: z.array(problemShape),
    checked: z.array(z.object({ file: z.string(), checks: z.array(z.string()) })),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: ({ task_id_or_path }, { workspace }) => checkTask(workspace, task_id_or_path),
});

async function checkAgainst(workspace: Workspace, ref: string, which: "input_schema" | "output_schema", value: unknown) {
  const task = await workspace.getTask(ref);
  const issues = compileSchema(task.document[which] as object | boolean).check(value);
  return { valid: issues.length === 0, issues, schema_file: which === "input_schema" ? "input.schema.json" : "output.schema.json" };
}

const schemaCheckOutput = z.object({
  valid: z.boolean(),
  issues: z.array(issueShape).describe("Every mismatch, each at its JSON Pointer in the value"),
  schema_file: z.string(),
});

const validateTaskInput = defineTool({
  name: "ratchet_validate_task_input",
  title: "Check an input against the task's input schema",
  description:
    "Checks a value against the task's input.schema.json without running the task. Use it before ratchet_execute_task, or to see why a run failed with InputSchemaError. " +
    "Returns valid and every issue with its JSON Pointer into the value. " +
    'Example: {"task_id_or_path": "weather", "input": {"city": 42}}',
  toolset: "runs",
  input: z.object({ task_id_or_path: taskRef, input: z.unknown() }),
  output: schemaCheckOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: ({ task_id_or_path, input }, { workspace }) => checkAgainst(workspace, task_id_or_path, "input_schema", input ?? null),
});

const validateTaskOutput = defineTool({
  name: "ratchet_validate_task_output",
  title: "Check an output against the task's output schema",
  description:
    "Checks a value against the task's output.schema.json. Use it when a run failed with OutputSchemaError, or to decide what main.js should return. " +
    "Returns valid and every issue with its JSON Pointer into the value. " +
    'Example: {"task_id_or_path": "weather", "output": {"temperature": "warm"}}',
  toolset: "runs",
  input: z.object({ task_id_or_path: taskRef, output: z.unknown() }),
  output: schemaCheckOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: ({ task_id_or_path, output }, { workspace }) => checkAgainst(workspace, task_id_or_path, "output_schema", output ?? null),
});

/** JSON Pointers of the values history replaced by REDACTED. */
export function redactedPaths(value: unknown, at = ""): string[] {
  if (value === REDACTED) return [at];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => redactedPaths(item, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`));
}

const replayExecution = defineTool({
  name: "ratchet_replay_execution",
  title: "Run an execution again",
  description:
    "Runs the task of an earlier execution again with the same input, or with `input` instead, on the task's current code: use it after a fix to check that the failure is gone. " +
    `History keeps inputs with secrets replaced by "${REDACTED}"; when the recorded input holds such values, pass \`input\` with the real ones. ` +
    "Returns the new execution as ratchet_execute_task does, plus replay_of and whether the input or the task version changed. " +
    'Example: {"execution_id": "0190c0de-...", "input": {"city": "Lyon"}}',
  toolset: "runs",
  input: z.object({
    execution_id: z.string().min(1),
    input: z.unknown().optional().describe("A changed input; default: the recorded one"),
    trace: z.boolean().optional(),
  }),
  output: runResultShape.extend({
    replay_of: z.string(),
    input_changed: z.boolean(),
    recorded_version: z.string().describe("The task version the replayed execution ran"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ execution_id, input, trace }, { workspace }) {
    const recorded = await workspace.getExecution(execution_id);
    const redacted = redactedPaths(recorded.input);
    if (input === undefined && redacted.length > 0) {
      throw new WorkspaceError("bad_request", `the recorded input of ${execution_id} has secrets redacted at ${redacted.join(", ")}, so it cannot be run as it was`, {
        hint: `Pass \`input\` with the real values: the recorded one is ${JSON.stringify(recorded.input)}.`,
      });
    }
    const record = await workspace.execute(recorded.task, input === undefined ? recorded.input : input, { trigger: "mcp" });
    return { ...runResult(record, trace ?? false), replay_of: execution_id, input_changed: input !== undefined, recorded_version: recorded.version };
  },
});

export const runTools: ToolDefinition[] = [executeTask, executeTaskBatch, validateTaskStructure, validateTaskInput, validateTaskOutput, replayExecution] as ToolDefinition[];
