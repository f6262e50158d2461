import type { Command } from "commander";
import { runBatch, type BatchItem } from "../../ops/run-batch.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import { opContext, taskDirArgument, type CommandContext } from "./context.ts";

interface RunBatchOptions {
  fromFs?: string;
  inputDir?: string;
  parallel: string;
  aggregateResults?: boolean;
}

const line = (item: BatchItem) =>
  `${item.status === "completed" ? "ok  " : "FAIL"} ${item.file} (${Math.round(item.durationMs)} ms)${item.error ? `: ${item.error.type}: ${item.error.message}` : ""}`;

export async function runBatchCommand(context: CommandContext, dir: string, options: RunBatchOptions): Promise<number> {
  if (options.inputDir === undefined) throw new UsageError("missing --input-dir D: the folder of *.json input files");
  if (!/^\d+$/.test(options.parallel)) throw new UsageError(`--parallel must be a whole number of at least 1, not "${options.parallel}"`);
  const { io } = context;
  // With --aggregate-results stdout holds only the JSON document, so the per-file lines go to stderr.
  const print = options.aggregateResults ? io.err : io.out;
  const report = await runBatch(await opContext(context), dir, { inputDir: options.inputDir, parallel: Number(options.parallel), onItem: (item) => print(line(item)) });
  print(`${report.items.length} inputs: ${report.completed} completed, ${report.failed} failed (${Math.round(report.durationMs)} ms)`);
  if (options.aggregateResults) {
    const results = Object.fromEntries(
      report.items.map((item) => [item.file, item.status === "completed" ? { status: item.status, output: item.output } : { status: item.status, error: item.error }]),
    );
    io.out(JSON.stringify({ completed: report.completed, failed: report.failed, results }, null, 2));
  }
  return report.failed === 0 ? EXIT.ok : EXIT.failed;
}

export function registerRunBatch(program: Command, context: CommandContext): void {
  program
    .command("run-batch")
    .description("run the task once per *.json input file of a folder; one line per file and a summary")
    .argument("[dir]", "task folder")
    .option("--from-fs <dir>", "task folder (upstream spelling)")
    .option("--input-dir <dir>", "folder of input files (*.json), one run each")
    .option("--parallel <n>", "runs at once", "1")
    .option("--aggregate-results", "print every output (or error) as one JSON document keyed by file name on stdout")
    .action(async (dir: string | undefined, options: RunBatchOptions) => context.setExit(await runBatchCommand(context, taskDirArgument(dir, options), options)));
}
