import { runTests, type SecretValues, type TaskBundle, type TestReport } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { readLocalSecrets } from "./secrets-file.ts";
import { openTask, type TaskOpContext } from "./task.ts";

export interface TaskTestReport extends TestReport {
  /** The task's label and version, as its metadata gives them. */
  task: { label: string; version: string };
  durationMs: number;
}

/** Runs a task folder's tests/*.json with the engine's test runner, and its `.secrets` (`secretFlags` over them). */
export async function testTask(context: TaskOpContext, dir: string, secretFlags?: Record<string, string>): Promise<TaskTestReport> {
  const secrets = await readLocalSecrets(dir, secretFlags);
  return testBundle(context, await openTask(context, dir), undefined, secrets);
}

/** Runs a loaded task's tests, or only those of the test file `only` ("tests/a.json"), each run given `secrets`. */
export async function testBundle(context: Pick<TaskOpContext, "engine" | "config">, bundle: TaskBundle, only?: string, secrets?: SecretValues): Promise<TaskTestReport> {
  // The filtered array loses the intersection type TaskBundle gives `tests`; its items are unchanged.
  const tests = (only === undefined ? bundle.tests : bundle.tests.filter((test) => test.file === only)) as TaskBundle["tests"];
  const started = performance.now();
  const report = await runTests(context.engine, { ...bundle, tests }, { fetch: platformFetch, limits: context.config.limits, validateSchemas: context.config.validateSchemas, secrets });
  return { ...report, task: { label: bundle.metadata.label, version: bundle.metadata.version }, durationMs: performance.now() - started };
}
