import type { ExecutionResult, TaskBundle, Trigger } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { openTask, type TaskOpContext } from "./task.ts";

/** Runs a task folder once with the given input, as `run-once` does. Never throws for task faults. */
export async function runTask(context: TaskOpContext, dir: string, input: unknown): Promise<ExecutionResult> {
  return runBundle(context, await openTask(context, dir), input);
}

/** Runs a loaded task with the platform's fetch (RATCHET_HOST_MAP honoured) and the configured limits. */
export function runBundle(context: Pick<TaskOpContext, "engine" | "config">, bundle: TaskBundle, input: unknown, options: { trigger?: Trigger; recordExchanges?: boolean } = {}): Promise<ExecutionResult> {
  return context.engine.execute(bundle, {
    input,
    trigger: options.trigger ?? "cli",
    fetch: platformFetch,
    recordExchanges: options.recordExchanges,
    limits: context.config.limits,
    validateSchemas: context.config.validateSchemas,
  });
}
