import type { Command } from "commander";
import type { ExecutionResult } from "../../engine/index.ts";
import { runTask } from "../../ops/run.ts";
import type { CliIo } from "../../ops/io.ts";
import { opContext, taskDirArgument, type CommandContext } from "./context.ts";
import { readInput } from "./run-once.ts";
import { watchAndRerun } from "./watch-loop.ts";

interface WatchOptions {
  fromFs?: string;
  inputFile?: string;
  inputJson?: string;
}

function printResult(result: ExecutionResult, io: CliIo): void {
  for (const entry of result.logs) io.err(`[${entry.level}] ${entry.message}`);
  if (result.status === "completed") {
    io.out(JSON.stringify(result.output, null, 2));
    io.err(`completed in ${Math.round(result.durationMs)} ms`);
    return;
  }
  const error = result.error!;
  io.err(`error: ${error.type}: ${error.message}`);
  if (error.stack) io.err(error.stack);
  io.err(`failed in ${Math.round(result.durationMs)} ms`);
}

export async function watchCommand(context: CommandContext, dir: string, options: WatchOptions): Promise<number> {
  // The input is read again for every run, so editing the input file is a change like any other.
  const runOnce = async () => printResult(await runTask(await opContext(context), dir, await readInput(options)), context.io);
  await runOnce();
  return watchAndRerun(options.inputFile === undefined ? [dir] : [dir, options.inputFile], runOnce, context.io);
}

export function registerWatch(program: Command, context: CommandContext): void {
  program
    .command("watch")
    .description("run a task, then again on every change of its folder or input file (Ctrl-C stops)")
    .argument("[dir]", "task folder")
    .option("--from-fs <dir>", "task folder (upstream spelling)")
    .option("--input-file <file>", "a file holding the input JSON (watched too)")
    .option("--input-json <json>", "the input as JSON text")
    .action(async (dir: string | undefined, options: WatchOptions) => context.setExit(await watchCommand(context, taskDirArgument(dir, options), options)));
}
