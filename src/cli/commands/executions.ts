import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ApiClient, describeApiError, type ApiOptions } from "../../ops/api-client.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { HistoryStore } from "../../ops/workspace/history.ts";
import { WorkspaceError, type ExecutionQuery } from "../../workspace/workspace.ts";
import { EXIT } from "../exit-codes.ts";

export interface ExecutionsOptions extends ApiOptions {
  task?: string;
  status?: string;
  trigger?: string;
  limit?: string;
  json?: boolean;
  /** The tasks folder whose local history to read (without --url). */
  tasksDir?: string;
}

/** Without --url or RATCHET_URL, executions come from the local history that run-once and the MCP stdio host keep. */
export const isLocal = (options: ApiOptions) => options.url === undefined && !process.env.RATCHET_URL;

/** --tasks-dir, else ./tasks when it exists, else the current folder. */
async function tasksDirOf(options: ExecutionsOptions): Promise<string> {
  if (options.tasksDir !== undefined) {
    if (!(await stat(options.tasksDir).catch(() => undefined))?.isDirectory()) throw new UsageError(`--tasks-dir ${options.tasksDir} is not a folder`);
    return options.tasksDir;
  }
  return (await stat("tasks").catch(() => undefined))?.isDirectory() ? "tasks" : ".";
}

/** Reads the local history, turning a refused argument into a usage error. */
async function fromHistory<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === "bad_request") throw new UsageError(error.message);
    throw error;
  }
}

export function printExecutions(rows: Record<string, unknown>[], json: boolean | undefined, io: CliIo): void {
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  io.out(["STARTED", "TASK", "VERSION", "TRIGGER", "STATUS", "ERROR", "MS", "ID"].join("\t"));
  for (const e of rows) {
    io.out([e.started_at, e.task, e.version, e.trigger, e.status, e.error_type ?? "-", Math.round(Number(e.duration_ms)), e.id].join("\t"));
  }
}

export async function localExecutionsCommand(options: ExecutionsOptions, io: CliIo): Promise<number> {
  const dir = await tasksDirOf(options);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  const query = { task: options.task, status: options.status, trigger: options.trigger, limit } as ExecutionQuery;
  const page = await fromHistory(() => new HistoryStore(dir).list(query));
  io.err(`local history of ${resolve(dir)} (pass --url for a running Ratchet's)`);
  printExecutions(page.items, options.json, io);
  return EXIT.ok;
}

/** One execution, whole, as JSON: from the running Ratchet with --url, else from the local history. */
export async function executionShowCommand(id: string, options: ExecutionsOptions, io: CliIo): Promise<number> {
  if (isLocal(options)) {
    const dir = await tasksDirOf(options);
    const record = await new HistoryStore(dir).get(id);
    if (!record) throw new UsageError(`no execution ${id} in the local history of ${resolve(dir)} (list them with \`ratchet executions\`, or pass --url for a running Ratchet's)`);
    io.out(JSON.stringify(record, null, 2));
    return EXIT.ok;
  }
  const reply = await new ApiClient(options).request("GET", `/executions/${encodeURIComponent(id)}`);
  if (reply.status !== 200) {
    io.err(`error: ${describeApiError(reply)}`);
    return reply.status === 404 ? EXIT.usage : EXIT.failed;
  }
  io.out(JSON.stringify(reply.body, null, 2));
  return EXIT.ok;
}
