import type { ExecutionContext } from "@cloudflare/workers-types";
import type { ExecutionResult, Trigger } from "../engine/index.ts";
import { recordExecution } from "../store/executions.ts";
import { findTask, findVersion, openDb, type VersionRow } from "../store/tasks.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";
import { engineFor, loadBundle } from "./sandbox.ts";

export interface InvokeOptions {
  trigger: Trigger;
  /** Run this version instead of the current one. */
  version?: string;
  attempt?: number;
  scheduleId?: string;
  /** For a scheduled retry: the first attempt's execution id. */
  retryOf?: string;
}

export interface Invocation {
  result: ExecutionResult;
  version: VersionRow;
  /** Settles when the execution record is written. */
  recorded: Promise<void>;
}

/** The Worker's own fetch, as the engine takes it: every guest request goes out through it. */
export const platformFetch = (request: Request): Promise<Response> => fetch(request);

/** The task's serving version (or the one asked for); 404 when there is none. */
export async function resolveVersion(env: Env, name: string, version?: string): Promise<VersionRow> {
  const db = openDb(env.DB);
  if (version !== undefined) {
    const row = await findVersion(db, name, version);
    if (!row) throw new ApiError(404, "not_found", `Task ${name} has no version ${version}`);
    return row;
  }
  const found = await findTask(db, name);
  if (!found) throw new ApiError(404, "not_found", `No task named ${name}`);
  if (!found.task.enabled) throw new ApiError(409, "task_disabled", `Task ${name} is disabled`);
  return found.version;
}

/**
 * The one execution path of the Worker: resolve the version, load its bundle (cached by
 * hash), run it, and record the execution whatever the outcome. Recording finishes after the
 * response through waitUntil, and is retried once before it is given up with a log line.
 */
export async function invokeTask(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, name: string, input: unknown, options: InvokeOptions): Promise<Invocation> {
  const version = await resolveVersion(env, name, options.version);
  const bundle = await loadBundle(env.BUNDLES, version.hash, version.r2Key);
  const result = await engineFor(env).execute(bundle, {
    input,
    trigger: options.trigger,
    fetch: platformFetch,
    attempt: options.attempt,
    scheduleId: options.scheduleId,
  });
  const record = () => recordExecution(openDb(env.DB), env.BUNDLES, { taskName: name, versionId: version.id, input, result, retryOf: options.retryOf });
  const recorded = record()
    .catch(() => record())
    .then(
      () => undefined,
      (error) => console.error(`execution ${result.executionId} of ${name} could not be recorded`, error),
    );
  ctx.waitUntil(recorded);
  return { result, version, recorded };
}
