import type { ExecutionContext } from "@cloudflare/workers-types";
import { redactSecrets, type ExecutionResult, type TaskBundle, type Trigger } from "../engine/index.ts";
import type { VersionRef } from "../store/tasks.ts";
import type { Env } from "./env.ts";
import { announceRecord, recordExecution } from "./record-writer.ts";
import { engineFor, loadBundle } from "./sandbox.ts";
import { StorageUnavailableError, storageStep } from "./storage-errors.ts";
import { admitExecution } from "./storage-state.ts";
import { secretsForRun } from "./secrets/task-secrets.ts";
import { resolveVersion } from "./version-cache.ts";

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
  version: VersionRef;
  /** The input as the record keeps it: its secrets redacted (by name and schema, and the task's own secret values). */
  recordedInput: unknown;
  /**
   * Resolves when the record is in D1. Rejects, when it was finally lost (counted and logged),
   * with a 503 StorageUnavailableError (not_recorded) carrying the outcome: a host that waits for
   * it tells its client, so no execution the platform accepted is lost silently.
   */
  recorded: Promise<void>;
  /**
   * What a host waits for before it hands out the execution id, so any later read finds it:
   * `recorded`, or nothing where one isolate serves every read and each read waits for the
   * records the isolate accepted (answerableAfter). When it is `recorded`, it rejects as that does.
   */
  answerable: Promise<void>;
}

/** The Worker's own fetch, as the engine takes it: every guest request goes out through it. */
export const platformFetch = (request: Request): Promise<Response> => fetch(request);

/**
 * The one execution path of the platform, for every host (HTTP routes, the scheduler, and next
 * MCP and GraphQL): resolve the version (cached per isolate), load its bundle (cached by hash),
 * run it, and record the execution whatever the outcome, with the secrets of its input redacted
 * (see redactSecrets). The record is written as soon as the run ends, group-committed with other
 * requests' records and retried within a bound (record-writer.ts); `recorded` says when, and
 * `answerable` when the host may answer. It is also handed to waitUntil, so it completes even
 * for a host that does not wait.
 */
export async function invokeTask(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, name: string, input: unknown, options: InvokeOptions): Promise<Invocation> {
  // Refused before the task runs when its record is known to be unwritable (storage-state.ts),
  // and when what it needs cannot be read: a 503, never a run that cannot be recorded.
  await admitExecution(env);
  const { version, secrets, bundle } = await storageStep(`loading task ${name}`, "The task was not run; try again.", async () => {
    // Both cached per isolate: on the hot path neither reads D1.
    const [version, secrets] = await Promise.all([resolveVersion(env, name, options.version), secretsForRun(env, name)]);
    return { version, secrets, bundle: await loadBundle(env.BUNDLES, version.hash, version.r2Key) };
  });
  // Counted as active until its record settles, except while it waits on a fetch: the record
  // writer lets a row wait for other active executions' rows to share their batch.
  const announced = announceRecord();
  let result: ExecutionResult;
  try {
    result = await engineFor(env).execute(bundle, {
      input,
      trigger: options.trigger,
      fetch: (request) => announced.pause(() => platformFetch(request)),
      attempt: options.attempt,
      scheduleId: options.scheduleId,
      secrets,
    });
  } catch (error) {
    announced.done();
    throw error;
  }
  // The record keeps the input without its secrets (the task got them whole); the engine redacted the result.
  const recordedInput = redactSecrets(input, bundle.input_schema, secrets);
  const recorded = recordExecution(env, { taskName: name, versionId: version.id, input: recordedInput, result, retryOf: options.retryOf })
    .catch((error: unknown) => {
      console.error(`execution ${result.executionId} of ${name} could not be recorded`, error);
      throw notRecorded(name, result, error);
    })
    .finally(() => announced.done());
  ctx.waitUntil(recorded.catch(() => undefined));
  return { result, version, recordedInput, recorded, answerable: answerableAfter(env, recorded) };
}

/**
 * When a host may hand out the id of an execution whose record is `recorded`: once it is in D1,
 * so any isolate reads it; or at once where one isolate serves every read and each read waits
 * for the records the isolate accepted (EXECUTION_RECORDS=after-response, `ratchet serve`).
 */
export function answerableAfter(env: Pick<Env, "EXECUTION_RECORDS">, recorded: Promise<void>): Promise<void> {
  return env.EXECUTION_RECORDS === "after-response" ? Promise.resolve() : recorded;
}

/**
 * The task ran but its record was lost (storage failed through every retry; only a D1 outage
 * that begins while the task runs gets this far, since a known outage refuses it before). The
 * client is told, with the outcome it would otherwise have got.
 */
function notRecorded(name: string, result: ExecutionResult, cause: unknown): StorageUnavailableError {
  const outcome = result.status === "completed" ? { output: result.output } : { error: { type: result.error?.type, message: result.error?.message } };
  return new StorageUnavailableError(
    "not_recorded",
    `Execution ${result.executionId} of ${name} ran (${result.status}) but storage failed and it could not be recorded: it is not in the history. ` +
      `Its outcome is in details; running it again runs the task again. (${cause instanceof Error ? cause.message : String(cause)})`,
    { execution_id: result.executionId, task: name, status: result.status, ...outcome },
  );
}

/**
 * Runs a task as invokeTask does but records nothing (a dry run, such as MCP's execute_task
 * with record: false): the host gets the input redacted as a record would keep it, to show it.
 */
export async function runTask(env: Env, name: string, input: unknown, options: InvokeOptions): Promise<{ result: ExecutionResult; bundle: TaskBundle; version: VersionRef; recordedInput: unknown }> {
  const [version, secrets] = await Promise.all([resolveVersion(env, name, options.version), secretsForRun(env, name)]);
  const bundle = await loadBundle(env.BUNDLES, version.hash, version.r2Key);
  const result = await engineFor(env).execute(bundle, { input, trigger: options.trigger, fetch: platformFetch, attempt: options.attempt, scheduleId: options.scheduleId, secrets });
  return { result, bundle, version, recordedInput: redactSecrets(input, bundle.input_schema, secrets) };
}
