import type { ExecutionContext } from "@cloudflare/workers-types";
import pLimit from "p-limit";
import { claimAndStartRun, claimRetry, claimSlots, countOutcome, dueRetries, dueSchedules, getSchedule, updateRun, updateSchedule, type ScheduleRow, type ScheduleRunRow } from "../store/schedules.ts";
import { openDb, type Db } from "../store/tasks.ts";
import type { Env } from "../platform/env.ts";
import { ApiError } from "../platform/errors.ts";
import { invokeTask, type Invocation } from "../platform/execute-and-record.ts";
import { StorageUnavailableError } from "../platform/storage-errors.ts";
import type { Schedule } from "../engine/cron.ts";
import { cronOf } from "./service.ts";

/** Scheduled runs in flight at once per trigger, so one tick cannot flood the isolate. */
const PARALLEL_RUNS = 4;
const BATCH = 100;
/** Bounds one tick's work; what is still due after this many batches waits for the next tick. */
const MAX_ROUNDS = 20;
/** The Cron Trigger fires every minute: a slot older than this was missed, not merely reached. */
const ON_TIME_MS = 60_000;
/** Bounds the walk over missed slots after a long downtime. */
const MAX_SLOTS_WALKED = 100_000;

export interface TickReport {
  ran: number;
  retried: number;
  skipped: number;
  paused: number;
  /** Runs the platform could not start (logged). */
  failed: number;
}

/** The last slot at or before `now`, walking on from the due slot `from`. */
function latestDueSlot(cron: Schedule, from: Date, now: Date): Date {
  let latest = from;
  for (let walked = 0; walked < MAX_SLOTS_WALKED; walked++) {
    const [next] = cron.nextRuns(1, latest);
    if (!next || next > now) break;
    latest = next;
  }
  return latest;
}

/**
 * One tick of the scheduler (the Worker's scheduled() handler): runs every due slot once and
 * every due retry, in parallel with a bound. Safe to run concurrently with itself: slots and
 * retries are claimed with compare-and-set updates in D1. A storage failure fails only the
 * slots it touches (counted in `failed`, logged); each is left to run at a later tick or not
 * run at all, never run twice (see attempt()).
 */
export async function runDueSchedules(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, now: Date): Promise<TickReport> {
  const db = openDb(env.DB);
  const at = now.toISOString();
  const report: TickReport = { ran: 0, retried: 0, skipped: 0, paused: 0, failed: 0 };
  const limit = pLimit(PARALLEL_RUNS);
  const guarded = (what: string, work: () => Promise<void>) =>
    limit(work).catch((error: unknown) => {
      console.error(`scheduler: ${what} failed`, error);
      report.failed += 1;
    });
  // Batch after batch until nothing is due: a slot left for the next tick would be a minute late.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [due, retries] = await Promise.all([dueSchedules(db, at, BATCH), dueRetries(db, at, BATCH)]);
    await Promise.all([
      ...due.map((row) => guarded(`schedule ${row.id} (${row.taskName})`, () => runSlot(env, ctx, db, row, now, report))),
      ...retries.map((run) => guarded(`retry of run ${run.id}`, () => runRetry(env, ctx, db, run, now, report))),
    ]);
    if (due.length < BATCH && retries.length < BATCH) break;
  }
  return report;
}

async function runSlot(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, row: ScheduleRow, now: Date, report: TickReport): Promise<void> {
  const at = now.toISOString();
  const cron = cronOf(row);
  const [upcoming] = cron.nextRuns(1, now);
  if (!upcoming) return;
  const slot = latestDueSlot(cron, new Date(row.nextRunAt), now);
  const onTime = now.getTime() - slot.getTime() < ON_TIME_MS;
  if (!onTime && row.catchUp === "skip") {
    if (await claimSlots(db, row.id, row.nextRunAt, upcoming.toISOString(), at)) report.skipped += 1;
    return;
  }
  const run: ScheduleRunRow = {
    id: crypto.randomUUID(),
    scheduleId: row.id,
    slot: slot.toISOString(),
    attempt: 1,
    status: "running",
    nextAttemptAt: null,
    firstExecutionId: null,
    lastExecutionId: null,
    createdAt: at,
    updatedAt: at,
  };
  if (!(await claimAndStartRun(db, row.nextRunAt, upcoming.toISOString(), run))) return;
  if (await attempt(env, ctx, db, row, run, now, report)) report.ran += 1;
}

async function runRetry(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, waiting: ScheduleRunRow, now: Date, report: TickReport): Promise<void> {
  const run = await claimRetry(db, waiting, now.toISOString());
  if (!run) return;
  let row: ScheduleRow | undefined;
  try {
    row = await getSchedule(db, run.scheduleId);
  } catch (error) {
    await notRun(db, run, now, true);
    throw error;
  }
  if (!row?.enabled) {
    await updateRun(db, run.id, { status: "failed", updatedAt: now.toISOString() });
    return;
  }
  if (await attempt(env, ctx, db, row, run, now, report)) report.retried += 1;
}

/**
 * One attempt of a run: execute, record, and decide whether another attempt follows. False when
 * it could not run. Storage faults: an attempt refused before the task ran waits to be tried
 * again (notRun); once the task has run, the attempt is never repeated for a storage fault (a
 * lost record, or the run's bookkeeping failing), so a slot never runs twice.
 */
async function attempt(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, row: ScheduleRow, run: ScheduleRunRow, now: Date, report: TickReport): Promise<boolean> {
  const at = now.toISOString();
  let invocation: Invocation;
  try {
    invocation = await invokeTask(env, ctx, row.taskName, row.input, {
      trigger: "schedule",
      scheduleId: row.id,
      attempt: run.attempt,
      retryOf: run.firstExecutionId ?? undefined,
    });
  } catch (error) {
    if (error instanceof ApiError && (error.code === "not_found" || error.code === "task_disabled")) {
      await updateRun(db, run.id, { status: "failed", updatedAt: at });
      // The task is gone or disabled: pause the schedule with the reason instead of failing every minute.
      await updateSchedule(db, row.id, { enabled: false, pausedReason: error.message, updatedAt: at });
      report.paused += 1;
      return false;
    }
    // A platform fault before the task ran (storage unreachable, bundle missing): this run waits, the other schedules go on.
    console.error(`schedule ${row.id} (${row.taskName}) could not run its slot ${run.slot}`, error);
    await notRun(db, run, now, error instanceof StorageUnavailableError && error.code === "storage_unavailable");
    report.failed += 1;
    return false;
  }
  const { result } = invocation;
  // A lost record was counted and logged by the record writer; the task ran, so it is not run again.
  await invocation.recorded.catch(() => undefined);
  const retry = result.status === "failed" && run.attempt < row.maxAttempts;
  await updateRun(db, run.id, {
    status: retry ? "retry_wait" : result.status,
    nextAttemptAt: retry ? new Date(now.getTime() + row.backoffSeconds * 1000 * 2 ** (run.attempt - 1)).toISOString() : null,
    firstExecutionId: run.firstExecutionId ?? result.executionId,
    lastExecutionId: result.executionId,
    updatedAt: at,
  });
  await countOutcome(db, row.id, { status: result.status, executionId: result.executionId, at });
  return true;
}

/**
 * An attempt that did not run. When storage kept it from running (`retryable`), it is put back
 * to wait with its attempt number unspent (claimRetry adds one back), due at once, so the next
 * tick runs it; anything else fails the run. Should this write fail too, the run stays
 * "running" and its slot is not run: at most once, never twice.
 */
async function notRun(db: Db, run: ScheduleRunRow, now: Date, retryable: boolean): Promise<void> {
  const at = now.toISOString();
  await updateRun(db, run.id, retryable ? { status: "retry_wait", attempt: run.attempt - 1, nextAttemptAt: at, updatedAt: at } : { status: "failed", updatedAt: at });
}
