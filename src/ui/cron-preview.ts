import cronstrue from "cronstrue";
import { checkCron } from "../engine/cron.ts";
import type { CronPreview } from "./pages/schedules.tsx";

/** Run times as people in that zone read them. */
function local(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short", hour12: false }).format(date) + ` (${timezone})`;
}

/** cronstrue's reading of the expression; a 6-field one drops its seconds as the scheduler does. */
function describe(expression: string): string {
  const parts = expression.trim().split(/\s+/);
  const minutes = parts.length === 6 ? parts.slice(1).join(" ") : expression.trim();
  try {
    return cronstrue.toString(minutes, { use24HourTimeFormat: true });
  } catch {
    return expression.trim();
  }
}

/** What a cron expression means and its next five runs in `timezone`, checked by the scheduler's own checkCron. */
export function previewCron(expression: string, timezone: string, after = new Date()): CronPreview {
  const checked = checkCron(expression, timezone);
  if (!checked.ok) return { ok: false, message: checked.message };
  const runs = checked.schedule.nextRuns(5, after);
  const description = describe(expression) + (checked.schedule.note ? `. ${checked.schedule.note}` : "");
  return { ok: true, description, next_runs: runs.map((d) => ({ iso: d.toISOString(), local: local(d, timezone) })) };
}
