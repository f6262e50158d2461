import type { CliConfig } from "./config.ts";
import { loadTask } from "./load.ts";
import type { Engine, TaskBundle } from "../engine/index.ts";

/** What every operation on a local task folder needs: the engine, the run settings, and where problem lines go. */
export interface TaskOpContext {
  engine: Engine;
  config: CliConfig;
  /** Receives each validation problem or warning of the task, formatted as one line (the CLI prints them; MCP returns them). */
  onProblem: (line: string) => void;
}

/** Loads and validates a task folder; throws UsageError (no folder) or InvalidTaskError (problems sent to onProblem). */
export function openTask(context: Pick<TaskOpContext, "engine" | "onProblem">, dir: string): Promise<TaskBundle> {
  return loadTask(context.engine, dir, context.onProblem);
}
