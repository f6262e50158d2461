/** Tools that run a task many times without recording: benchmark and fuzz. */
import { z } from "zod";
import { GUEST_ERROR_CLASSES } from "../../engine/index.ts";
import { locationFromStack } from "../../analysis/source.ts";
import { generateInputs } from "../fuzz/generate.ts";
import { percentile, round2 } from "../../analysis/percentiles.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { boundedValue } from "./execution-shapes.ts";

const taskRef = z.string().min(1).describe("A task folder path or task name");
const spread = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable() });
const spreadOf = (values: number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  min: values.length > 0 ? Math.min(...values) : null,
  max: values.length > 0 ? Math.max(...values) : null,
});

const benchmarkTask = defineTool({
  name: "ratchet_benchmark_task",
  title: "Benchmark a task",
  description:
    "Runs a task `runs` times (default 20, at most 200) one after another with the same input, without recording them in history, after `warmup` unmeasured runs (default 1). " +
    "Returns p50/p95/min/max of the engine's duration and CPU time, executions per second over the whole series, and how many failed (by error type). " +
    "Guest fetches are made every time: point them at a test server, not a rate-limited API. Cancelling the call stops the series. " +
    'Example: {"task_id_or_path": "addition", "input": {"num1": 1, "num2": 2}, "runs": 50}',
  toolset: "observe",
  input: z.object({
    task_id_or_path: taskRef,
    input: z.unknown(),
    runs: z.number().int().min(1).max(200).optional(),
    warmup: z.number().int().min(0).max(20).optional(),
  }),
  output: z.object({
    task: z.string(),
    runs: z.number().describe("Measured runs made (fewer than asked when cancelled)"),
    completed: z.number(),
    failed: z.number(),
    error_types: z.record(z.string(), z.number()),
    duration_ms: spread,
    cpu_ms: spread,
    executions_per_second: z.number().nullable(),
    total_ms: z.number(),
  }),
  // Not read-only: the task's own code runs, and its fetches may change things elsewhere.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ task_id_or_path, input, runs, warmup }, { workspace, signal, progress }) {
    const run = () => workspace.execute(task_id_or_path, input ?? null, { trigger: "mcp", record: false });
    for (let i = 0; i < (warmup ?? 1) && !signal.aborted; i++) await run();
    const wanted = runs ?? 20;
    const durations: number[] = [];
    const cpu: number[] = [];
    const errorTypes: Record<string, number> = {};
    let task = task_id_or_path;
    const started = performance.now();
    for (let i = 0; i < wanted && !signal.aborted; i++) {
      const record = await run();
      task = record.task;
      durations.push(record.duration_ms);
      cpu.push(record.timings.cpuMs);
      if (record.error) errorTypes[record.error.type] = (errorTypes[record.error.type] ?? 0) + 1;
      if ((i + 1) % 10 === 0) await progress(i + 1, wanted);
    }
    const total = performance.now() - started;
    const failed = Object.values(errorTypes).reduce((a, b) => a + b, 0);
    return {
      task,
      runs: durations.length,
      completed: durations.length - failed,
      failed,
      error_types: errorTypes,
      duration_ms: spreadOf(durations),
      cpu_ms: spreadOf(cpu),
      executions_per_second: total > 0 && durations.length > 0 ? round2((durations.length / total) * 1000) : null,
      total_ms: round2(total),
    };
  },
});

/** Error types a task may end with on bad input without it being a crash: the guide's error classes, and the input check. */
const DECLARED = new Set<string>([...GUEST_ERROR_CLASSES, "InputSchemaError"]);
const MAX_FINDINGS = 25;

const findingShape = z.object({
  index: z.number(),
  kind: z.enum(["crash", "output_schema"]).describe("crash: ended with an undeclared error type; output_schema: returned an output that fails output.schema.json"),
  input: z.unknown().describe("The generated input (null when over 2 KB: regenerate it with the same seed and count)"),
  error: z.object({ type: z.string(), message: z.string(), line: z.number().nullable() }),
});

const fuzzTestTask = defineTool({
  name: "ratchet_fuzz_test_task",
  title: "Fuzz a task with generated inputs",
  description:
    "Generates `count` inputs (default 50, at most 300) from the task's input schema, deterministically from `seed` (same seed, same inputs): boundary and unusual values " +
    "(empty and long strings, extreme numbers, optional fields left out) and, for every fourth, an input broken on purpose. Runs each without recording it. " +
    "Reports the inputs that crash with an error type the task does not declare (anything but NetworkError, DataError, ValidationError, TimeoutError, AuthenticationError, " +
    "RateLimitError, and InputSchemaError for invalid inputs) or whose output fails the output schema, with the error and the main.js line. " +
    'Example: {"task_id_or_path": "weather", "count": 100, "seed": 7}',
  toolset: "observe",
  input: z.object({
    task_id_or_path: taskRef,
    count: z.number().int().min(1).max(300).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional().describe("Default 1"),
  }),
  output: z.object({
    task: z.string(),
    seed: z.number(),
    count: z.number(),
    outcomes: z.object({ completed: z.number(), declared_errors: z.number(), input_rejected: z.number(), crashes: z.number(), output_schema_failures: z.number() }),
    crash_types: z.record(z.string(), z.number()),
    findings: z.array(findingShape).describe(`The first ${MAX_FINDINGS} crashes and output failures`),
  }),
  // Not read-only: the task's own code runs, and its fetches may change things elsewhere.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ task_id_or_path, count, seed }, { workspace, signal, progress }) {
    const snapshot = await workspace.getTask(task_id_or_path);
    const cases = generateInputs(snapshot.document.input_schema, count ?? 50, seed ?? 1);
    const outcomes = { completed: 0, declared_errors: 0, input_rejected: 0, crashes: 0, output_schema_failures: 0 };
    const crashTypes: Record<string, number> = {};
    const findings: z.infer<typeof findingShape>[] = [];
    for (const [index, { input }] of cases.entries()) {
      if (signal.aborted) break;
      const record = await workspace.execute(task_id_or_path, input, { trigger: "mcp", record: false });
      const error = record.error;
      if (!error) outcomes.completed += 1;
      else if (error.type === "InputSchemaError") outcomes.input_rejected += 1;
      else if (DECLARED.has(error.type)) outcomes.declared_errors += 1;
      else {
        const kind = error.type === "OutputSchemaError" ? "output_schema" : "crash";
        if (kind === "crash") {
          outcomes.crashes += 1;
          crashTypes[error.type] = (crashTypes[error.type] ?? 0) + 1;
        } else outcomes.output_schema_failures += 1;
        if (findings.length < MAX_FINDINGS) {
          findings.push({ index, kind, input: boundedValue(input, 2_000).value, error: { type: error.type, message: error.message.slice(0, 500), line: locationFromStack(error.stack)?.line ?? null } });
        }
      }
      if ((index + 1) % 10 === 0) await progress(index + 1, cases.length);
    }
    return { task: snapshot.name, seed: seed ?? 1, count: cases.length, outcomes, crash_types: crashTypes, findings };
  },
});

export const loadTools: ToolDefinition[] = [benchmarkTask, fuzzTestTask] as ToolDefinition[];
