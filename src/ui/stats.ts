import { percentile } from "../analysis/percentiles.ts";
import type { RunPoint } from "../store/run-stats.ts";

/** A task's recent record, for the task list. */
export interface TaskStats {
  lastStatus: string | null;
  lastRunAt: string | null;
  runs: number;
  successRate: number | null;
  p50Ms: number | null;
}

/** Per task, from runs newest first. */
export function statsByTask(runs: readonly RunPoint[]): Map<string, TaskStats> {
  const grouped = new Map<string, RunPoint[]>();
  for (const run of runs) grouped.set(run.taskName, [...(grouped.get(run.taskName) ?? []), run]);
  const stats = new Map<string, TaskStats>();
  for (const [task, list] of grouped) {
    const completed = list.filter((r) => r.status === "completed").length;
    stats.set(task, {
      lastStatus: list[0]!.status,
      lastRunAt: list[0]!.startedAt,
      runs: list.length,
      successRate: completed / list.length,
      p50Ms: percentile(list.map((r) => r.durationMs), 50),
    });
  }
  return stats;
}

/** One hour of runs: counts by status and duration percentiles. */
export interface HourBucket {
  start: Date;
  completed: number;
  failed: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

const HOUR = 3_600_000;

/** The last `hours` whole hours up to `now`, oldest first, each with its runs' counts and percentiles. */
export function hourly(runs: readonly RunPoint[], now: Date, hours = 24): HourBucket[] {
  const last = Math.floor(now.getTime() / HOUR) * HOUR;
  const buckets = Array.from({ length: hours }, (_, i) => ({ start: new Date(last - (hours - 1 - i) * HOUR), runs: [] as RunPoint[] }));
  for (const run of runs) {
    const index = hours - 1 - (last - Math.floor(Date.parse(run.startedAt) / HOUR) * HOUR) / HOUR;
    if (index >= 0 && index < hours) buckets[index]!.runs.push(run);
  }
  return buckets.map(({ start, runs: list }) => {
    const durations = list.map((r) => r.durationMs);
    return {
      start,
      completed: list.filter((r) => r.status === "completed").length,
      failed: list.filter((r) => r.status !== "completed").length,
      p50: percentile(durations, 50),
      p90: percentile(durations, 90),
      p99: percentile(durations, 99),
    };
  });
}
