import type { ExecutionResult, SecretValues, TaskBundle, Trigger } from "../engine/index.ts";
import { platformFetch } from "./io.ts";
import { readLocalSecrets } from "./secrets-file.ts";
import { openTask, type TaskOpContext } from "./task.ts";

/** Runs a task folder once with the given input and its `.secrets` (`secretFlags` over them), as `run-once` does. Never throws for task faults. */
export async function runTask(context: TaskOpContext, dir: string, input: unknown, secretFlags?: Record<string, string>): Promise<ExecutionResult> {
  const secrets = await readLocalSecrets(dir, secretFlags);
  return runBundle(context, await openTask(context, dir), input, { secrets });
}

/** Runs a loaded task with the platform's fetch (RATCHET_HOST_MAP honoured), the configured limits and the task's secrets. */
export function runBundle(
  context: Pick<TaskOpContext, "engine" | "config">,
  bundle: TaskBundle,
  input: unknown,
  options: { trigger?: Trigger; recordExchanges?: boolean; secrets?: SecretValues } = {},
): Promise<ExecutionResult> {
  return context.engine.execute(bundle, {
    input,
    trigger: options.trigger ?? "cli",
    fetch: platformFetch,
    recordExchanges: options.recordExchanges,
    limits: context.config.limits,
    validateSchemas: context.config.validateSchemas,
    secrets: options.secrets,
  });
}
