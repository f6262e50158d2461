import type { ExecutionResult } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { openTask, type TaskOpContext } from "./task.ts";

/** Runs a task folder once with the given input, as `run-once` does. Never throws for task faults. */
export async function runTask(context: TaskOpContext, dir: string, input: unknown): Promise<ExecutionResult> {
  const bundle = await openTask(context, dir);
  return context.engine.execute(bundle, {
    input,
    trigger: "cli",
    fetch: platformFetch,
    limits: context.config.limits,
    validateSchemas: context.config.validateSchemas,
  });
}
