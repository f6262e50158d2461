import type { ExecutionContext } from "@cloudflare/workers-types";
import pLimit from "p-limit";
import { claimRetry, claimSlots, countOutcome, dueRetries, dueSchedules, getSchedule, startRun, updateRun, updateSchedule, type ScheduleRow, type ScheduleRunRow } from "../store/schedules.ts";
import { openDb, type Db } from "../store/tasks.ts";
import type { Env } from "../platform/env.ts";
import { ApiError } from "../platform/errors.ts";
import { invokeTask } from "../platform/execute-and-record.ts";
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
 * retries are claimed with compare-and-set updates in D1.
 */
export async function runDueSchedules(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, now: Date): Promise<TickReport> {
  const db = openDb(env.DB);
  const at = now.toISOString();
  const report: TickReport = { ran: 0, retried: 0, skipped: 0, paused: 0, failed: 0 };
  const limit = pLimit(PARALLEL_RUNS);
  // Batch after batch until nothing is due: a slot left for the next tick would be a minute late.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [due, retries] = await Promise.all([dueSchedules(db, at, BATCH), dueRetries(db, at, BATCH)]);
    await Promise.all([
      ...due.map((row) => limit(() => runSlot(env, ctx, db, row, now, report))),
      ...retries.map((run) => limit(() => runRetry(env, ctx, db, run, now, report))),
    ]);
    if (due.length < BATCH && retries.length < BATCH) break;
  }
  return report;
}

async function runSlot(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, row: ScheduleRow, now: Date, report: TickReport): Promise<void> {
  const at = now.toISOString();
  const cron = cronOf(row);
  const [upcoming] = cron.nextRuns(1, now);
  if (!upcoming || !(await claimSlots(db, row.id, row.nextRunAt, upcoming.toISOString(), at))) return;

  const slot = latestDueSlot(cron, new Date(row.nextRunAt), now);
  const onTime = now.getTime() - slot.getTime() < ON_TIME_MS;
  if (!onTime && row.catchUp === "skip") {
    report.skipped += 1;
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
  if (!(await startRun(db, run))) return;
  if (await attempt(env, ctx, db, row, run, now, report)) report.ran += 1;
}

async function runRetry(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, waiting: ScheduleRunRow, now: Date, report: TickReport): Promise<void> {
  const run = await claimRetry(db, waiting, now.toISOString());
  if (!run) return;
  const row = await getSchedule(db, run.scheduleId);
  if (!row?.enabled) {
    await updateRun(db, run.id, { status: "failed", updatedAt: now.toISOString() });
    return;
  }
  if (await attempt(env, ctx, db, row, run, now, report)) report.retried += 1;
}

/** One attempt of a run: execute, record, and decide whether another attempt follows. False when it could not run. */
async function attempt(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, db: Db, row: ScheduleRow, run: ScheduleRunRow, now: Date, report: TickReport): Promise<boolean> {
  const at = now.toISOString();
  try {
    const { result, recorded } = await invokeTask(env, ctx, row.taskName, row.input, {
      trigger: "schedule",
      scheduleId: row.id,
      attempt: run.attempt,
      retryOf: run.firstExecutionId ?? undefined,
    });
    await recorded;
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
  } catch (error) {
    await updateRun(db, run.id, { status: "failed", updatedAt: at });
    if (error instanceof ApiError && (error.code === "not_found" || error.code === "task_disabled")) {
      // The task is gone or disabled: pause the schedule with the reason instead of failing every minute.
      await updateSchedule(db, row.id, { enabled: false, pausedReason: error.message, updatedAt: at });
      report.paused += 1;
      return false;
    }
    // A platform fault (storage unreachable, bundle missing): this run fails, the other schedules go on.
    console.error(`schedule ${row.id} (${row.taskName}) could not run its slot ${run.slot}`, error);
    report.failed += 1;
    return false;
  }
}
