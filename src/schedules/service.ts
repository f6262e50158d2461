import { and, eq } from "drizzle-orm";
import { compileSchema, type ScheduleDeclaration, type SchemaIssue } from "../engine/index.ts";
import type { BatchItem } from "drizzle-orm/batch";
import { deleteScheduleStatements, insertSchedule, updateSchedule, type ScheduleRow } from "../store/schedules.ts";
import { schedules } from "../store/schema.ts";
import type { Db, VersionRow } from "../store/tasks.ts";
import { checkCron, type Schedule } from "../engine/cron.ts";

export const DEFAULT_RETRY = { max_attempts: 3, backoff_seconds: 60 } as const;

/** Attempts per slot for a schedule that sets none: the task's metadata `retry_attempts`, else DEFAULT_RETRY. */
function defaultAttempts(version: VersionRow): number {
  const declared = version.metadata.retry_attempts;
  return typeof declared === "number" ? declared : DEFAULT_RETRY.max_attempts;
}

/** Why a schedule cannot be accepted; the HTTP layer answers 400 with it. */
export class ScheduleRejected extends Error {
  readonly field: string;
  readonly issues?: SchemaIssue[];

  constructor(field: string, message: string, issues?: SchemaIssue[]) {
    super(message);
    this.name = "ScheduleRejected";
    this.field = field;
    this.issues = issues;
  }
}

/** The cron of a stored schedule, which was checked when it was stored. */
export function cronOf(row: Pick<ScheduleRow, "cron" | "timezone">): Schedule {
  const checked = checkCron(row.cron, row.timezone);
  if (!checked.ok) throw new Error(`stored schedule has an invalid cron: ${checked.message}`);
  return checked.schedule;
}

/** The first slot strictly after `after`. */
export function nextSlot(row: Pick<ScheduleRow, "cron" | "timezone">, after: Date): string {
  const [next] = cronOf(row).nextRuns(1, after);
  if (!next) throw new Error(`schedule ${row.cron} has no future run`);
  return next.toISOString();
}

/** Checks what can only be checked against the task: cron, time zone, and the input against its schema. */
function check(settings: Pick<ScheduleRow, "cron" | "timezone" | "input">, version: VersionRow): void {
  const cron = checkCron(settings.cron, settings.timezone);
  if (!cron.ok) throw new ScheduleRejected(cron.field, cron.message);
  const issues = compileSchema(version.inputSchema as object).check(settings.input);
  if (issues.length > 0) {
    throw new ScheduleRejected("input", `The input does not match ${version.taskName}'s input.schema.json (version ${version.version})`, issues);
  }
}

/** Creates a schedule for a task's current version; refuses bad settings at once, never at run time. */
export async function createSchedule(
  db: Db,
  version: VersionRow,
  declaration: ScheduleDeclaration,
  origin: { source: "api" | "metadata"; sourceKey?: string },
  now = new Date(),
): Promise<ScheduleRow> {
  return insertSchedule(db, newSchedule(version, declaration, origin, now));
}

/** The row of a new schedule, checked (ScheduleRejected) but not stored. */
function newSchedule(version: VersionRow, declaration: ScheduleDeclaration, origin: { source: "api" | "metadata"; sourceKey?: string }, now: Date): ScheduleRow {
  const row: ScheduleRow = {
    id: crypto.randomUUID(),
    taskName: version.taskName,
    cron: declaration.cron.trim(),
    timezone: declaration.timezone ?? "UTC",
    input: declaration.input ?? {},
    enabled: declaration.enabled ?? true,
    pausedReason: null,
    maxAttempts: declaration.retry?.max_attempts ?? defaultAttempts(version),
    backoffSeconds: declaration.retry?.backoff_seconds ?? DEFAULT_RETRY.backoff_seconds,
    catchUp: declaration.catch_up ?? "skip",
    nextRunAt: "",
    lastRunAt: null,
    lastStatus: null,
    lastExecutionId: null,
    runCount: 0,
    failureCount: 0,
    source: origin.source,
    sourceKey: origin.sourceKey ?? null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  check(row, version);
  row.nextRunAt = nextSlot(row, now);
  return row;
}

/**
 * Applies a partial change. A new cron or time zone, or re-enabling, moves the next slot to
 * the first one after now; enabling clears a pause reason.
 */
export async function changeSchedule(db: Db, current: ScheduleRow, version: VersionRow, change: Partial<ScheduleDeclaration>, now = new Date()): Promise<ScheduleRow> {
  return (await updateSchedule(db, current.id, changedSchedule(current, version, change, now)))!;
}

/** A schedule's row after a change, checked (ScheduleRejected) but not stored. */
function changedSchedule(current: ScheduleRow, version: VersionRow, change: Partial<ScheduleDeclaration>, now: Date): ScheduleRow {
  const next: ScheduleRow = {
    ...current,
    cron: change.cron?.trim() ?? current.cron,
    timezone: change.timezone ?? current.timezone,
    input: change.input === undefined ? current.input : change.input,
    enabled: change.enabled ?? current.enabled,
    maxAttempts: change.retry?.max_attempts ?? current.maxAttempts,
    backoffSeconds: change.retry?.backoff_seconds ?? current.backoffSeconds,
    catchUp: change.catch_up ?? current.catchUp,
    updatedAt: now.toISOString(),
  };
  check(next, version);
  const timing = next.cron !== current.cron || next.timezone !== current.timezone;
  const resumed = next.enabled && !current.enabled;
  if (timing || resumed) next.nextRunAt = nextSlot(next, now);
  if (next.enabled) next.pausedReason = null;
  return next;
}

/**
 * The statements that make a task's schedules match what its metadata.json declares (by
 * position in the list): new ones created, changed ones updated, removed ones deleted. Every
 * declaration is checked first (ScheduleRejected); nothing is written here, so a deploy commits
 * them in the same D1 batch as its version (all or nothing).
 */
export async function declaredScheduleStatements(db: Db, version: VersionRow, now = new Date()): Promise<BatchItem<"sqlite">[]> {
  const declared = ((version.metadata as { schedules?: ScheduleDeclaration[] }).schedules ?? []) as ScheduleDeclaration[];
  const existing = await db.select().from(schedules).where(and(eq(schedules.taskName, version.taskName), eq(schedules.source, "metadata")));
  const byKey = new Map(existing.map((row) => [row.sourceKey, row]));
  const statements: BatchItem<"sqlite">[] = [];
  for (const [index, declaration] of declared.entries()) {
    const current = byKey.get(String(index));
    byKey.delete(String(index));
    if (!current) {
      // A concurrent deploy of the same task may create it first: then it exists, as wanted.
      statements.push(db.insert(schedules).values(newSchedule(version, declaration, { source: "metadata", sourceKey: String(index) }, now)).onConflictDoNothing());
    } else {
      const next = changedSchedule(current, version, { retry: DEFAULT_RETRY, catch_up: "skip", input: {}, timezone: "UTC", enabled: true, ...declaration }, now);
      statements.push(db.update(schedules).set(next).where(eq(schedules.id, current.id)));
    }
  }
  for (const stale of byKey.values()) statements.push(...deleteScheduleStatements(db, stale.id));
  return statements;
}

/** Makes a task's declared schedules match its metadata.json in one D1 batch (see declaredScheduleStatements). */
export async function syncDeclaredSchedules(db: Db, version: VersionRow, now = new Date()): Promise<void> {
  const [first, ...rest] = await declaredScheduleStatements(db, version, now);
  if (first) await db.batch([first, ...rest]);
}
