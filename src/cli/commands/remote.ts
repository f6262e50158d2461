import { basename, resolve } from "node:path";
import { formatProblem, type Engine } from "../../engine/index.ts";
import { ApiClient, describeApiError, type ApiOptions } from "../../ops/api-client.ts";
import { deployBundle } from "../../ops/deploy.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { loadTask } from "../../ops/load.ts";
import { isLocal, localExecutionsCommand, printExecutions, type ExecutionsOptions } from "./executions.ts";
import { readInput } from "./run-once.ts";

export async function deployCommand(engine: Engine, dir: string, options: ApiOptions & { name?: string }, io: CliIo): Promise<number> {
  const client = new ApiClient(options);
  const bundle = await loadTask(engine, dir, io.err);
  const deployed = await deployBundle(client, options.name ?? basename(resolve(dir)), bundle);
  if (deployed.ok) {
    io.out(`${deployed.name}: ${deployed.outcome} (version ${deployed.version}, ${deployed.hash})`);
    return EXIT.ok;
  }
  io.err(`error: deploy of ${deployed.name} failed: ${deployed.message}`);
  for (const problem of deployed.problems) io.err(formatProblem(problem));
  return deployed.status === 400 ? EXIT.usage : EXIT.failed;
}

export async function invokeCommand(name: string, options: ApiOptions & { inputJson?: string; inputFile?: string; version?: string }, io: CliIo): Promise<number> {
  const client = new ApiClient(options);
  const input = await readInput(options);
  const query = options.version ? `?version=${encodeURIComponent(options.version)}` : "";
  const reply = await client.request("POST", `/tasks/${encodeURIComponent(name)}/execute${query}`, input);
  const details = reply.body?.error?.details;
  for (const entry of (reply.body?.logs ?? details?.logs ?? []) as { level: string; message: string }[]) io.err(`[${entry.level}] ${entry.message}`);
  const executionId = reply.headers.get("x-ratchet-execution-id");
  if (executionId) io.err(`execution ${executionId}`);
  if (reply.status === 200) {
    io.out(JSON.stringify(reply.body.output, null, 2));
    return EXIT.ok;
  }
  io.err(`error: ${describeApiError(reply)}`);
  if (details?.stack) io.err(details.stack);
  for (const issue of (details?.issues ?? []) as { pointer: string; message: string }[]) io.err(`  ${issue.pointer || "(root)"}: ${issue.message}`);
  return reply.status === 404 ? EXIT.usage : EXIT.failed;
}

export async function executionsCommand(options: ExecutionsOptions, io: CliIo): Promise<number> {
  if (isLocal(options)) return localExecutionsCommand(options, io);
  const client = new ApiClient(options);
  const query = new URLSearchParams();
  if (options.task) query.set("task", options.task);
  if (options.status) query.set("status", options.status);
  if (options.trigger) query.set("trigger", options.trigger);
  if (options.limit) query.set("limit", options.limit);
  const reply = await client.request("GET", `/executions?${query}`);
  if (reply.status !== 200) {
    io.err(`error: ${describeApiError(reply)}`);
    if (reply.status === 400) throw new UsageError(reply.body.error.message);
    return EXIT.failed;
  }
  printExecutions(reply.body.executions as Record<string, unknown>[], options.json, io);
  return EXIT.ok;
}
