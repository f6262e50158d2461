import type { R2Bucket } from "@cloudflare/workers-types";
import { and, desc, eq, getTableColumns, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import { utf8Exceeds, type ExecutionResult } from "../engine/index.ts";
import { acceptedRecordsSettled } from "./records-in-flight.ts";
import { executions, executionStats } from "./schema.ts";
import type { Db } from "./tasks.ts";

export type ExecutionRow = typeof executions.$inferSelect;

/** Parts of a record kept in the row while they fit; larger records move whole to R2. */
const ROW_PAYLOAD_LIMIT = 64 * 1024;
export const payloadKey = (id: string) => `executions/${id}.json`;

interface Payload {
  input: unknown;
  output: unknown;
  error: unknown;
  logs: unknown;
  http: unknown;
}

export interface ExecutionRecordInput {
  taskName: string;
  versionId: string;
  input: unknown;
  result: ExecutionResult;
  /** For a retry: the first attempt's execution id. */
  retryOf?: string;
}

/**
 * Turns one execution into its row. When input, output, error, logs and HTTP trace together
 * are too large for a row, they go to R2 first and the row keeps a pointer: nothing is cut.
 */
export async function executionRow(bucket: R2Bucket, record: ExecutionRecordInput): Promise<ExecutionRow> {
  const { result } = record;
  const payload: Payload = { input: record.input, output: result.output ?? null, error: result.error ?? null, logs: result.logs, http: result.http };
  const text = JSON.stringify(payload);
  const external = utf8Exceeds(text, ROW_PAYLOAD_LIMIT);
  if (external) await bucket.put(payloadKey(result.executionId), text, { httpMetadata: { contentType: "application/json" } });
  return {
    id: result.executionId,
    taskName: record.taskName,
    taskVersion: result.taskVersion,
    versionId: record.versionId,
    trigger: result.trigger,
    status: result.status,
    attempt: result.attempt,
    scheduleId: result.scheduleId ?? null,
    retryOf: record.retryOf ?? null,
    errorType: result.error?.type ?? null,
    input: external ? null : payload.input,
    output: external ? null : payload.output,
    error: external ? null : payload.error,
    logs: external ? null : payload.logs,
    http: external ? null : payload.http,
    timings: { ...result.timings, limits: result.limits },
    payloadKey: external ? payloadKey(result.executionId) : null,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
  };
}

const columns = getTableColumns(executions);
const columnNames = Object.keys(columns) as (keyof ExecutionRow)[];
/** Stays well inside D1's 2 MB limit on one value (a row's payload is at most 64 KiB). */
const MAX_PARAMETER_BYTES = 1024 * 1024;

/** Drizzle lists every column of the table, in schema order, which is the order of each encoded row. */
function insertStatement(db: Db, encoded: string) {
  const values = sql.join(columnNames.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`)), sql`, `);
  return db.insert(executions).select(sql`select ${values} from json_each(${encoded})`);
}

/** Upper bounds (ms) of the duration histogram /metrics reports. */
export const DURATION_BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** The histogram bucket a duration is counted in: the smallest bound at or above it. */
const bucketOf = (durationMs: number) => String(DURATION_BOUNDS.find((le) => durationMs <= le) ?? "+Inf");

/** The rows' contribution to execution_stats, one entry per (task, status, bucket), as one JSON array. */
function statsGroups(rows: ExecutionRow[]): string {
  const groups = new Map<string, [string, string, string, number, number]>();
  for (const row of rows) {
    const le = bucketOf(row.durationMs);
    const key = JSON.stringify([row.taskName, row.status, le]);
    const group = groups.get(key) ?? [row.taskName, row.status, le, 0, 0];
    group[3] += 1;
    group[4] += row.durationMs;
    groups.set(key, group);
  }
  return JSON.stringify([...groups.values()]);
}

/** Adds the groups to execution_stats as one upsert. */
function statsStatement(db: Db, groups: string) {
  const field = (i: number) => sql.raw(`json_extract(value, '$[${i}]')`);
  return db
    .insert(executionStats)
    .select(sql`select ${field(0)}, ${field(1)}, ${field(2)}, ${field(3)}, ${field(4)} from json_each(${groups}) where true`)
    .onConflictDoUpdate({
      target: [executionStats.taskName, executionStats.status, executionStats.le],
      set: { count: sql`${executionStats.count} + excluded.count`, durationMsSum: sql`${executionStats.durationMsSum} + excluded.duration_ms_sum` },
    });
}

/**
 * The SQL of both statements, which only their one JSON parameter changes: Drizzle builds it from
 * the schema once per isolate, not per batch (building it was a tenth of a recorded run's CPU).
 */
let recordSql: { insert: string; stats: string } | undefined;
function recordStatements(db: Db): { insert: string; stats: string } {
  recordSql ??= { insert: insertStatement(db, "[]").toSQL().sql, stats: statsStatement(db, "[]").toSQL().sql };
  return recordSql;
}

/** D1's own count of what a statement wrote: the row, each index entry, each row of another table. */
const rowsWrittenBy = (result: unknown) => (result as { meta?: { rows_written?: number } } | undefined)?.meta?.rows_written ?? 0;

/**
 * Inserts execution rows and adds them to execution_stats in one D1 batch (one transaction):
 * all of it or none. The rows travel as one JSON parameter per statement that SQLite unpacks
 * with json_each, each value encoded by its schema column, so a batch costs a few bound values
 * however many rows it has. Answers the rows D1 reports written (what it bills).
 */
export async function insertExecutions(db: Db, rows: ExecutionRow[]): Promise<{ rowsWritten: number }> {
  if (rows.length === 0) return { rowsWritten: 0 };
  const chunks: string[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    const encoded = JSON.stringify(columnNames.map((name) => (row[name] === null ? null : columns[name].mapToDriverValue(row[name]))));
    // At most 3 UTF-8 bytes per UTF-16 unit: an upper bound is enough to stay under the limit.
    const size = encoded.length * 3;
    if (chunk.length > 0 && bytes + size > MAX_PARAMETER_BYTES) {
      chunks.push(`[${chunk.join(",")}]`);
      chunk = [];
      bytes = 0;
    }
    chunk.push(encoded);
    bytes += size + 1;
  }
  if (chunk.length > 0) chunks.push(`[${chunk.join(",")}]`);
  const { insert, stats } = recordStatements(db);
  const d1 = db.$client;
  const results = await d1.batch([...chunks.map((encoded) => d1.prepare(insert).bind(encoded)), d1.prepare(stats).bind(statsGroups(rows))]);
  return { rowsWritten: results.reduce((sum: number, result) => sum + rowsWrittenBy(result), 0) };
}

/** Totals by task and status, and the cumulative duration histogram, for /metrics. */
export async function executionMetrics(db: Db) {
  await acceptedRecordsSettled();
  const stats = await db.select().from(executionStats);
  const totals = new Map<string, { taskName: string; status: string; count: number; durationMsSum: number }>();
  const perBucket = new Map<string, number>();
  for (const s of stats) {
    const key = JSON.stringify([s.taskName, s.status]);
    const total = totals.get(key) ?? { taskName: s.taskName, status: s.status, count: 0, durationMsSum: 0 };
    total.count += s.count;
    total.durationMsSum += s.durationMsSum;
    totals.set(key, total);
    perBucket.set(s.le, (perBucket.get(s.le) ?? 0) + s.count);
  }
  let atOrUnder = 0;
  const all = [...totals.values()];
  return {
    totals: all,
    buckets: DURATION_BOUNDS.map((le) => ({ le, count: (atOrUnder += perBucket.get(String(le)) ?? 0) })),
    count: all.reduce((sum, t) => sum + t.count, 0),
    durationMsSum: all.reduce((sum, t) => sum + t.durationMsSum, 0),
  };
}

export interface ExecutionQuery {
  task?: string;
  status?: string;
  trigger?: string;
  /** ISO times bounding started_at, inclusive. */
  since?: string;
  until?: string;
  limit: number;
  /** The id after which the page starts (newest first): the last row of the previous page. */
  before?: string;
  /** Only these tasks' executions (a task-limited token's); null or omitted: all. */
  tasks?: string[] | null;
}

/** The smallest UUIDv7 of a millisecond (its first 48 bits) as a string prefix: ids sort by it as text. */
export function idPrefixAt(ms: number): string {
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1)).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}

/**
 * Executions newest first, with keyset pagination on the id. Ids are UUIDv7, whose first 48
 * bits are the start time in ms, so id order is start order and a time range is an id range:
 * the query walks the primary key (or the task index) and needs no other index.
 */
export async function listExecutions(db: Db, query: ExecutionQuery): Promise<ExecutionRow[]> {
  await acceptedRecordsSettled();
  const filters: (SQL | undefined)[] = [];
  if (query.task) filters.push(eq(executions.taskName, query.task));
  if (query.tasks) filters.push(inArray(executions.taskName, query.tasks));
  if (query.status) filters.push(eq(executions.status, query.status));
  if (query.trigger) filters.push(eq(executions.trigger, query.trigger));
  if (query.since) filters.push(gte(executions.id, idPrefixAt(Date.parse(query.since))), gte(executions.startedAt, query.since));
  if (query.until) filters.push(lt(executions.id, idPrefixAt(Date.parse(query.until) + 1)), lte(executions.startedAt, query.until));
  if (query.before) filters.push(lt(executions.id, query.before));
  return db
    .select()
    .from(executions)
    .where(and(...filters))
    .orderBy(desc(executions.id))
    .limit(query.limit);
}

/** One execution with everything, its R2 payload merged back in. */
export async function getExecution(db: Db, bucket: R2Bucket, id: string): Promise<ExecutionRow | undefined> {
  await acceptedRecordsSettled();
  const [row] = await db.select().from(executions).where(eq(executions.id, id)).limit(1);
  if (!row?.payloadKey) return row;
  const object = await bucket.get(row.payloadKey);
  if (!object) return row;
  const payload = (await object.json()) as Payload;
  return { ...row, ...payload };
}
