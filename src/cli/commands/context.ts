import type { Engine } from "../../engine/index.ts";
import type { TaskOpContext } from "../../ops/task.ts";
import type { CliConfig } from "../../ops/config.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";

/** What a command's registration needs from the program: the engine, where to print, how to exit, the --config settings. */
export interface CommandContext {
  engine: Engine;
  io: CliIo;
  setExit(code: number): void;
  config(): Promise<CliConfig>;
}

/** The operations' context for a command: validation problems go to stderr. */
export async function opContext(context: CommandContext): Promise<TaskOpContext> {
  return { engine: context.engine, config: await context.config(), onProblem: context.io.err };
}

/** The task folder from the positional argument or upstream Ratchet's `--from-fs DIR`. */
export function taskDirArgument(dir: string | undefined, options: { fromFs?: string }): string {
  const chosen = dir ?? options.fromFs;
  if (!chosen) throw new UsageError("missing the task folder: ratchet <command> DIR (or --from-fs DIR)");
  return chosen;
}
