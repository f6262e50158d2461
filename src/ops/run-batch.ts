import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import pLimit from "p-limit";
import type { ExecutionError } from "../engine/index.ts";
import { UsageError } from "./errors.ts";
import { platformFetch } from "./io.ts";
import { openTask, type TaskOpContext } from "./task.ts";
import { readLocalSecrets } from "./secrets-file.ts";

export interface BatchItem {
  /** The input file's name inside the input folder. */
  file: string;
  status: "completed" | "failed";
  durationMs: number;
  output?: unknown;
  /** The task's error, or InputParseError when the file is not JSON (the task did not run). */
  error?: ExecutionError | { type: "InputParseError"; message: string };
}

export interface BatchReport {
  items: BatchItem[];
  completed: number;
  failed: number;
  durationMs: number;
}

export interface BatchOptions {
  inputDir: string;
  /** Executions at once (default 1). */
  parallel?: number;
  /** Called as each input finishes, in completion order, so a caller can show progress. */
  onItem?: (item: BatchItem) => void;
}

/** Runs the task once per *.json file of the input folder, at most `parallel` at a time; items come back in file-name order. */
export async function runBatch(context: TaskOpContext, dir: string, options: BatchOptions): Promise<BatchReport> {
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number of at least 1, not ${parallel}`);
  const info = await stat(options.inputDir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--input-dir ${options.inputDir} is not a folder (no such directory)`);
  const files = (await readdir(options.inputDir)).filter((name) => name.endsWith(".json")).sort();
  if (files.length === 0) throw new UsageError(`--input-dir ${options.inputDir} holds no *.json input files`);
  const bundle = await openTask(context, dir);
  const secrets = await readLocalSecrets(dir);
  const limit = pLimit(parallel);
  const started = performance.now();

  const runOne = async (file: string): Promise<BatchItem> => {
    const began = performance.now();
    const text = await readFile(join(options.inputDir, file), "utf8");
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (error) {
      return { file, status: "failed", durationMs: performance.now() - began, error: { type: "InputParseError", message: `${file} is not valid JSON: ${(error as Error).message}` } };
    }
    const result = await context.engine.execute(bundle, { input, trigger: "cli", fetch: platformFetch, limits: context.config.limits, validateSchemas: context.config.validateSchemas, secrets });
    return result.status === "completed"
      ? { file, status: "completed", durationMs: result.durationMs, output: result.output }
      : { file, status: "failed", durationMs: result.durationMs, error: result.error! };
  };

  const items = await Promise.all(
    files.map((file) =>
      limit(async () => {
        const item = await runOne(file);
        options.onItem?.(item);
        return item;
      }),
    ),
  );
  const completed = items.filter((item) => item.status === "completed").length;
  return { items, completed, failed: items.length - completed, durationMs: performance.now() - started };
}
