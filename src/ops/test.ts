import { runTests, type TaskBundle, type TestReport } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { openTask, type TaskOpContext } from "./task.ts";

export interface TaskTestReport extends TestReport {
  /** The task's label and version, as its metadata gives them. */
  task: { label: string; version: string };
  durationMs: number;
}

/** Runs a task folder's tests/*.json with the engine's test runner. */
export async function testTask(context: TaskOpContext, dir: string): Promise<TaskTestReport> {
  return testBundle(context, await openTask(context, dir));
}

/** Runs a loaded task's tests, or only those of the test file `only` ("tests/a.json"). */
export async function testBundle(context: Pick<TaskOpContext, "engine" | "config">, bundle: TaskBundle, only?: string): Promise<TaskTestReport> {
  // The filtered array loses the intersection type TaskBundle gives `tests`; its items are unchanged.
  const tests = (only === undefined ? bundle.tests : bundle.tests.filter((test) => test.file === only)) as TaskBundle["tests"];
  const started = performance.now();
  const report = await runTests(context.engine, { ...bundle, tests }, { fetch: platformFetch, limits: context.config.limits, validateSchemas: context.config.validateSchemas });
  return { ...report, task: { label: bundle.metadata.label, version: bundle.metadata.version }, durationMs: performance.now() - started };
}
