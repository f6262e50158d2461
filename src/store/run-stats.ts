import { and, desc, eq, gte } from "drizzle-orm";
import { executions } from "./schema.ts";
import { idPrefixAt } from "./executions.ts";
import { acceptedRecordsSettled } from "./records-in-flight.ts";
import type { Db } from "./tasks.ts";

/** One execution as charts and summaries need it: no payload columns. */
export interface RunPoint {
  id: string;
  taskName: string;
  status: string;
  trigger: string;
  durationMs: number;
  startedAt: string;
}

/**
 * Executions started at or after `since`, newest first, at most `limit`: the id range walks the
 * primary key (ids are UUIDv7, so start-time order), or the task index for one task.
 */
export async function recentRuns(db: Db, query: { since: Date; task?: string; limit: number }): Promise<RunPoint[]> {
  await acceptedRecordsSettled();
  const filters = [gte(executions.id, idPrefixAt(query.since.getTime()))];
  if (query.task) filters.push(eq(executions.taskName, query.task));
  return db
    .select({ id: executions.id, taskName: executions.taskName, status: executions.status, trigger: executions.trigger, durationMs: executions.durationMs, startedAt: executions.startedAt })
    .from(executions)
    .where(and(...filters))
    .orderBy(desc(executions.id))
    .limit(query.limit);
}
