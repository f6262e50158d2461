import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { redactSecretValues, type Engine, type ExecutionResult, type SecretValues } from "../../engine/index.ts";
import type { CliConfig } from "../../ops/config.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import { toHar } from "../har.ts";
import { platformFetch, type CliIo } from "../../ops/io.ts";
import { loadTask } from "../../ops/load.ts";
import { parseSecretFlags, readLocalSecrets } from "../../ops/secrets-file.ts";
import { recordFolderRun } from "../../ops/workspace/history.ts";
import { RATCHET_VERSION } from "../version.ts";

export interface RunOnceOptions {
  inputJson?: string;
  inputFile?: string;
  logLevel: string;
  record?: string;
  /** false (--no-record-history): keep no record in the tasks folder's local history. */
  recordHistory?: boolean;
  /** --secret NAME=VALUE flags, over the folder's .secrets. */
  secret?: string[];
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
const RANK: Record<string, number> = { debug: 0, log: 1, info: 1, warn: 2, error: 3 };

/** The input from --input-json or --input-file (default {}); a usage error when it is not JSON. */
export async function readInput(options: { inputJson?: string; inputFile?: string }): Promise<unknown> {
  if (options.inputJson !== undefined && options.inputFile !== undefined) {
    throw new UsageError("give either --input-json or --input-file, not both");
  }
  const [text, source] =
    options.inputFile !== undefined
      ? [await readFile(options.inputFile, "utf8").catch(() => {
          throw new UsageError(`cannot read --input-file ${options.inputFile}`);
        }), options.inputFile]
      : [options.inputJson ?? "{}", "--input-json"];
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Writes the run to `dir`; the engine redacted the result, the input is redacted here with the same rule. */
async function record(dir: string, input: unknown, result: ExecutionResult, secrets: SecretValues | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  const write = (name: string, value: unknown) => writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  const { exchanges, ...summary } = result;
  await write("input.json", redactSecretValues(input, secrets));
  await write(result.status === "completed" ? "output.json" : "error.json", result.status === "completed" ? result.output : result.error);
  await write("logs.json", result.logs);
  await write("result.json", summary);
  await write("http.har", toHar(exchanges ?? [], RATCHET_VERSION));
}

export async function runOnceCommand(engine: Engine, dir: string, options: RunOnceOptions, config: CliConfig, io: CliIo): Promise<number> {
  if (!(LEVELS as readonly string[]).includes(options.logLevel)) {
    throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}`);
  }
  const threshold = RANK[options.logLevel] ?? 1;
  const input = await readInput(options);
  const secrets = await readLocalSecrets(dir, parseSecretFlags(options.secret));
  const bundle = await loadTask(engine, dir, io.err);
  const result = await engine.execute(bundle, {
    input,
    trigger: "cli",
    fetch: platformFetch,
    recordExchanges: options.record !== undefined,
    limits: config.limits,
    validateSchemas: config.validateSchemas,
    secrets,
  });

  for (const entry of result.logs) {
    if ((RANK[entry.level] ?? 1) >= threshold) io.err(`[${entry.level}] ${entry.message}`);
  }
  if (threshold === 0) {
    for (const call of result.http) io.err(`[http] ${call.method} ${call.url} -> ${call.status ?? call.error} (${call.durationMs} ms)`);
    io.err(`[debug] execution ${result.executionId}: ${result.durationMs} ms (cpu ~${result.timings.cpuMs} ms)`);
  }
  if (options.recordHistory !== false) {
    // The run still counts when its record cannot be kept (a read-only folder, say).
    await recordFolderRun(dir, bundle, input, result, secrets).catch((error: Error) => io.err(`warning: execution ${result.executionId} was not kept in the local history: ${error.message}`));
  }
  if (options.record !== undefined) {
    await record(options.record, input, result, secrets);
    io.err(`recorded to ${options.record}`);
  }
  if (result.status === "completed") {
    io.out(JSON.stringify(result.output, null, 2));
    return EXIT.ok;
  }
  const error = result.error!;
  io.err(`error: ${error.type}: ${error.message}`);
  if (error.stack) io.err(error.stack);
  const issues = (error.details as { issues?: { pointer: string; message: string }[] } | undefined)?.issues;
  for (const issue of issues ?? []) io.err(`  ${issue.pointer || "(root)"}: ${issue.message}`);
  return EXIT.failed;
}
