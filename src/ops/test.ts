import { runTests, type TestReport } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { openTask, type TaskOpContext } from "./task.ts";

export interface TaskTestReport extends TestReport {
  /** The task's label and version, as its metadata gives them. */
  task: { label: string; version: string };
  durationMs: number;
}

/** Runs a task folder's tests/*.json with the engine's test runner. */
export async function testTask(context: TaskOpContext, dir: string): Promise<TaskTestReport> {
  const bundle = await openTask(context, dir);
  const started = performance.now();
  const report = await runTests(context.engine, bundle, { fetch: platformFetch, limits: context.config.limits, validateSchemas: context.config.validateSchemas });
  return { ...report, task: { label: bundle.metadata.label, version: bundle.metadata.version }, durationMs: performance.now() - started };
}
