import { z } from "zod";
import type { ExecutionError, TestOutcome } from "../engine/index.ts";
import { WorkspaceError } from "../workspace/workspace.ts";
import type { ToolContext } from "./tool.ts";
import { testFiles } from "./task-files.ts";

/** Test results as the tests tools answer them. */

export const errorShape = z.object({ type: z.string(), message: z.string(), stack: z.string().optional(), details: z.unknown().optional() });

export const errorOf = (e: ExecutionError): z.infer<typeof errorShape> => ({ type: e.type, message: e.message, stack: e.stack, details: e.details });

export const outcomeShape = z.object({
  file: z.string(),
  name: z.string(),
  passed: z.boolean(),
  failure: z.string().optional().describe("Why it failed, in one sentence"),
  diff: z.string().optional().describe('Unified diff, "-" expected, "+" actual'),
  status: z.enum(["completed", "failed"]).describe("How the run ended (a test expecting an error passes on a failed run)"),
  duration_ms: z.number(),
  error: errorShape.optional(),
});

export const outcomeOf = (t: TestOutcome): z.infer<typeof outcomeShape> => ({
  file: t.file,
  name: t.name,
  passed: t.passed,
  failure: t.failure,
  diff: t.diff,
  status: t.result.status,
  duration_ms: t.result.durationMs,
  error: t.result.error && errorOf(t.result.error),
});

export const suiteShape = z.object({ passed: z.number(), failed: z.number(), total: z.number(), tests: z.array(outcomeShape) });

/**
 * Runs a task's tests one file at a time, so the client hears of each result as it comes
 * (a progress notification per test) and a cancelled call stops between tests.
 */
export async function runSuite(context: ToolContext, ref: string): Promise<z.infer<typeof suiteShape>> {
  const files = testFiles((await context.workspace.getTask(ref)).files);
  const tests: z.infer<typeof outcomeShape>[] = [];
  for (const file of files) {
    if (context.signal.aborted) throw new WorkspaceError("bad_request", `cancelled after ${tests.length} of ${files.length} tests`, { hint: "Call ratchet_test_task again to run the whole suite." });
    const report = await context.workspace.runTests(ref, { only: file });
    const outcome = report.tests.map(outcomeOf);
    tests.push(...outcome);
    await context.progress(tests.length, files.length, outcome.map((t) => `${t.passed ? "passed" : "FAILED"}: ${t.name}`).join("; "));
  }
  const passed = tests.filter((t) => t.passed).length;
  return { passed, failed: tests.length - passed, total: tests.length, tests };
}
