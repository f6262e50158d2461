import { Cron } from "croner";

/** A checked cron expression in a time zone, ready to give its run times. */
export interface Schedule {
  expression: string;
  timezone: string;
  /** Said back to the user when the expression had a seconds field, which is ignored. */
  note?: string;
  nextRuns(count: number, after: Date): Date[];
}

export type CronCheck = { ok: true; schedule: Schedule } | { ok: false; field: "cron" | "timezone"; message: string };

const MACROS = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"];
const FIELDS = "minute hour day-of-month month day-of-week";

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a cron expression: 5 fields, the 6-field form with seconds first (upstream Ratchet's;
 * runs at minute granularity, the seconds field is ignored and the answer says so), or a macro.
 * Parsing and time arithmetic are croner's.
 */
export function checkCron(expression: string, timezone = "UTC"): CronCheck {
  if (!isTimeZone(timezone)) {
    return { ok: false, field: "timezone", message: `Unknown time zone "${timezone}"; use an IANA name such as UTC or Europe/Paris` };
  }
  const trimmed = expression.trim();
  const parts = trimmed.split(/\s+/);
  let pattern = trimmed;
  let note: string | undefined;
  if (trimmed.startsWith("@")) {
    if (!MACROS.includes(trimmed.toLowerCase())) return { ok: false, field: "cron", message: `Unknown macro ${trimmed}; use one of ${MACROS.join(", ")}` };
  } else if (parts.length === 6) {
    pattern = parts.slice(1).join(" ");
    note = `The seconds field "${parts[0]}" is ignored: schedules run at minute granularity, at second 0.`;
  } else if (parts.length !== 5) {
    return { ok: false, field: "cron", message: `A cron expression has 5 fields (${FIELDS}) or 6 with seconds first; "${trimmed}" has ${parts.length}` };
  }
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone, paused: true });
  } catch (error) {
    return { ok: false, field: "cron", message: `${(error as Error).message.replace(/^CronPattern: /, "")} in "${trimmed}" (fields: ${FIELDS})` };
  }
  if (cron.nextRun(new Date()) === null) return { ok: false, field: "cron", message: `"${trimmed}" never runs` };
  return {
    ok: true,
    schedule: {
      expression: trimmed,
      timezone,
      ...(note ? { note } : {}),
      nextRuns: (count, after) => cron.nextRuns(count, after),
    },
  };
}
