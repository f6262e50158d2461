import { and, asc, desc, eq, getTableColumns, inArray, lte, sql } from "drizzle-orm";
import { scheduleRuns, schedules } from "./schema.ts";
import type { Db } from "./tasks.ts";

export type ScheduleRow = typeof schedules.$inferSelect;
export type ScheduleRunRow = typeof scheduleRuns.$inferSelect;

export async function getSchedule(db: Db, id: string): Promise<ScheduleRow | undefined> {
  const [row] = await db.select().from(schedules).where(eq(schedules.id, id)).limit(1);
  return row;
}

/** Schedules, of one task when `task` is given, and only of `names` when that is given (a task-limited token's). */
export function listSchedules(db: Db, task?: string, names?: string[] | null): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(and(task ? eq(schedules.taskName, task) : undefined, names ? inArray(schedules.taskName, names) : undefined))
    .orderBy(asc(schedules.taskName), asc(schedules.createdAt));
}

export async function insertSchedule(db: Db, row: ScheduleRow): Promise<ScheduleRow> {
  await db.insert(schedules).values(row);
  return row;
}

export async function updateSchedule(db: Db, id: string, patch: Partial<ScheduleRow>): Promise<ScheduleRow | undefined> {
  const [row] = await db.update(schedules).set(patch).where(eq(schedules.id, id)).returning();
  return row;
}

export async function deleteSchedule(db: Db, id: string): Promise<void> {
  await db.batch(deleteScheduleStatements(db, id));
}

/** A schedule's runs, then the schedule: for a batch. */
export const deleteScheduleStatements = (db: Db, id: string) => [db.delete(scheduleRuns).where(eq(scheduleRuns.scheduleId, id)), db.delete(schedules).where(eq(schedules.id, id))] as const;

/** Enabled schedules whose next slot has come. */
export function dueSchedules(db: Db, now: string, limit: number): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.enabled, true), lte(schedules.nextRunAt, now)))
    .orderBy(asc(schedules.nextRunAt))
    .limit(limit);
}

/**
 * Claims a schedule's due slots by moving `next_run_at` on, but only if nobody moved it
 * first: of two overlapping triggers, exactly one sees its update apply.
 */
export async function claimSlots(db: Db, id: string, expected: string, next: string, now: string): Promise<boolean> {
  const claimed = await db
    .update(schedules)
    .set({ nextRunAt: next, updatedAt: now })
    .where(and(eq(schedules.id, id), eq(schedules.nextRunAt, expected), eq(schedules.enabled, true)))
    .returning({ id: schedules.id });
  return claimed.length === 1;
}

/**
 * Claims a schedule's due slots (as claimSlots, moving `next_run_at` from `expected` to `next`)
 * and starts the run of `run.slot`, in one D1 batch: both or neither, so a storage failure
 * leaves the slot due for the next tick, and a claimed slot always has its run. The run is
 * inserted only when this very claim moved the schedule (it shows `next` with this claim's time)
 * and the slot has no run yet (the unique index). True when this call won both.
 */
export async function claimAndStartRun(db: Db, expected: string, next: string, run: ScheduleRunRow): Promise<boolean> {
  const values = sql.join(
    Object.keys(getTableColumns(scheduleRuns)).map((key) => sql`${run[key as keyof ScheduleRunRow]}`),
    sql`, `,
  );
  const claimedHere = sql`exists (select 1 from ${schedules} where ${schedules.id} = ${run.scheduleId} and ${schedules.nextRunAt} = ${next} and ${schedules.updatedAt} = ${run.createdAt})`;
  const [claimed, started] = await db.batch([
    db
      .update(schedules)
      .set({ nextRunAt: next, updatedAt: run.createdAt })
      .where(and(eq(schedules.id, run.scheduleId), eq(schedules.nextRunAt, expected), eq(schedules.enabled, true)))
      .returning({ id: schedules.id }),
    db.insert(scheduleRuns).select(sql`select ${values} where ${claimedHere}`).onConflictDoNothing().returning({ id: scheduleRuns.id }),
  ]);
  return claimed.length === 1 && started.length === 1;
}

/** Runs waiting for a retry whose time has come. */
export function dueRetries(db: Db, now: string, limit: number): Promise<ScheduleRunRow[]> {
  return db
    .select()
    .from(scheduleRuns)
    .where(and(eq(scheduleRuns.status, "retry_wait"), lte(scheduleRuns.nextAttemptAt, now)))
    .orderBy(asc(scheduleRuns.nextAttemptAt))
    .limit(limit);
}

/** Claims the next attempt of a waiting run, compare-and-set on its attempt number. */
export async function claimRetry(db: Db, run: ScheduleRunRow, now: string): Promise<ScheduleRunRow | undefined> {
  const [claimed] = await db
    .update(scheduleRuns)
    .set({ status: "running", attempt: run.attempt + 1, nextAttemptAt: null, updatedAt: now })
    .where(and(eq(scheduleRuns.id, run.id), eq(scheduleRuns.status, "retry_wait"), eq(scheduleRuns.attempt, run.attempt)))
    .returning();
  return claimed;
}

export async function updateRun(db: Db, id: string, patch: Partial<ScheduleRunRow>): Promise<void> {
  await db.update(scheduleRuns).set(patch).where(eq(scheduleRuns.id, id));
}

/** Counts an attempt's outcome on its schedule. */
export async function countOutcome(db: Db, id: string, outcome: { status: string; executionId: string; at: string }): Promise<void> {
  await db
    .update(schedules)
    .set({
      lastRunAt: outcome.at,
      lastStatus: outcome.status,
      lastExecutionId: outcome.executionId,
      runCount: sql`${schedules.runCount} + 1`,
      failureCount: outcome.status === "failed" ? sql`${schedules.failureCount} + 1` : schedules.failureCount,
      updatedAt: outcome.at,
    })
    .where(eq(schedules.id, id));
}

export function listRuns(db: Db, scheduleId: string, limit: number): Promise<ScheduleRunRow[]> {
  return db.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleId, scheduleId)).orderBy(desc(scheduleRuns.slot)).limit(limit);
}
