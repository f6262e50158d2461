import { z } from "zod";
import { diagnoseExecution } from "../../analysis/diagnose.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { recentExecutions } from "./observe-history.ts";

const SIMILAR_SCAN = 300;
const SIMILAR_SHOWN = 10;

const contextLine = z.object({ line: z.number(), text: z.string(), failing: z.boolean() });

const analyzeExecutionError = defineTool({
  name: "ratchet_analyze_execution_error",
  title: "Explain why an execution failed",
  description:
    "Reads a failed execution (error, stack, logs, HTTP trace, and main.js at that version) with a rule catalogue, no AI service: names the error class and what it means, " +
    "the failing line of main.js with three lines either side, the likely cause (schema paths, the expression that was undefined, the unchecked 4xx/5xx, the network failure's kind, " +
    "the limit and the metadata setting that raises it, a missing entry function, async misuse) and concrete fixes. " +
    "include_suggestions adds the fix as a unified diff where one can be derived, and a test case reproducing the failure; include_similar_errors lists other executions of the task that failed the same way. " +
    'Example: {"execution_id": "0190c0de-...", "include_suggestions": true}',
  toolset: "observe",
  input: z.object({
    execution_id: z.string().min(1),
    include_suggestions: z.boolean().optional(),
    include_similar_errors: z.boolean().optional(),
    include_fix_suggestions: z.boolean().optional().describe("The guide's spelling of include_suggestions"),
    generate_test_case_for_bug: z.boolean().optional().describe("The guide's spelling: the test case comes with include_suggestions"),
    search_similar_errors: z.boolean().optional().describe("The guide's spelling of include_similar_errors"),
  }),
  output: z.object({
    execution_id: z.string(),
    task: z.string(),
    version: z.string(),
    error_class: z.string(),
    message: z.string(),
    meaning: z.string(),
    rule: z.string().describe("The catalogue rule that matched, e.g. network/refused, type-error/undefined-property, limit/TimeLimitError"),
    cause: z.string(),
    fixes: z.array(z.string()),
    details: z.record(z.string(), z.unknown()),
    location: z.object({ file: z.literal("main.js"), line: z.number(), column: z.number(), context: z.array(contextLine) }).nullable(),
    stack: z.string().nullable(),
    also: z.array(z.object({ rule: z.string(), cause: z.string() })).describe("Other rules this failure matches: contributing causes"),
    patch: z.object({ file: z.string(), diff: z.string() }).nullable().optional(),
    test_case: z.object({ name: z.string(), description: z.string().optional(), input: z.unknown(), expected_error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional() }).optional(),
    similar_errors: z.object({ count: z.number(), scanned: z.number(), executions: z.array(z.object({ execution_id: z.string(), version: z.string(), started_at: z.string() })) }).optional(),
    recent_logs: z.array(z.object({ level: z.string(), message: z.string() })).describe("The last console lines before the failure"),
    notes: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ execution_id, include_suggestions, include_similar_errors, include_fix_suggestions, generate_test_case_for_bug, search_similar_errors }, { workspace }) {
    const suggestions = include_suggestions ?? include_fix_suggestions ?? generate_test_case_for_bug ?? false;
    const similarErrors = include_similar_errors ?? search_similar_errors ?? false;
    const { record, ...diagnosis } = await diagnoseExecution(workspace, execution_id, { includeSuggestions: suggestions });
    let similar;
    if (similarErrors) {
      const failed = await recentExecutions(workspace, { task: record.task, status: "failed" }, SIMILAR_SCAN);
      const same = failed.filter((e) => e.id !== record.id && e.error_type === record.error!.type);
      similar = { count: same.length, scanned: failed.length, executions: same.slice(0, SIMILAR_SHOWN).map((e) => ({ execution_id: e.id, version: e.version, started_at: e.started_at })) };
    }
    return { ...diagnosis, ...(similar ? { similar_errors: similar } : {}) };
  },
});

export const analyzeTools: ToolDefinition[] = [analyzeExecutionError] as ToolDefinition[];
