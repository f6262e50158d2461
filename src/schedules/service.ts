import { and, eq } from "drizzle-orm";
import { compileSchema, type ScheduleDeclaration, type SchemaIssue } from "../engine/index.ts";
import { deleteSchedule, insertSchedule, updateSchedule, type ScheduleRow } from "../store/schedules.ts";
import { isUniqueViolation } from "../store/errors.ts";
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
  return insertSchedule(db, row);
}

/**
 * Applies a partial change. A new cron or time zone, or re-enabling, moves the next slot to
 * the first one after now; enabling clears a pause reason.
 */
export async function changeSchedule(db: Db, current: ScheduleRow, version: VersionRow, change: Partial<ScheduleDeclaration>, now = new Date()): Promise<ScheduleRow> {
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
  return (await updateSchedule(db, current.id, next))!;
}

/**
 * Makes a task's schedules match what its metadata.json declares (by position in the list):
 * new ones are created, changed ones updated, removed ones deleted. Run on every deploy.
 */
export async function syncDeclaredSchedules(db: Db, version: VersionRow, now = new Date()): Promise<void> {
  const declared = ((version.metadata as { schedules?: ScheduleDeclaration[] }).schedules ?? []) as ScheduleDeclaration[];
  const existing = await db.select().from(schedules).where(and(eq(schedules.taskName, version.taskName), eq(schedules.source, "metadata")));
  const byKey = new Map(existing.map((row) => [row.sourceKey, row]));
  for (const [index, declaration] of declared.entries()) {
    const current = byKey.get(String(index));
    byKey.delete(String(index));
    if (!current) {
      // A concurrent deploy of the same task may create it first: then it exists, as wanted.
      await createSchedule(db, version, declaration, { source: "metadata", sourceKey: String(index) }, now).catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
      });
    } else await changeSchedule(db, current, version, { retry: DEFAULT_RETRY, catch_up: "skip", input: {}, timezone: "UTC", enabled: true, ...declaration }, now);
  }
  for (const stale of byKey.values()) await deleteSchedule(db, stale.id);
}
