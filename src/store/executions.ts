import type { R2Bucket } from "@cloudflare/workers-types";
import { and, desc, eq, getTableColumns, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { utf8Exceeds, type ExecutionResult } from "../engine/index.ts";
import { executionDurationBuckets, executions, executionTotals } from "./schema.ts";
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

/**
 * Inserts execution rows in one D1 batch (one transaction): all of them or none; a trigger
 * adds them to the totals (migrations/0004_count_executions.sql). The rows travel as one JSON
 * parameter per statement that SQLite unpacks with json_each, each value encoded by its schema
 * column, so a batch costs a few bound values however many rows it has.
 */
export async function insertExecutions(db: Db, rows: ExecutionRow[]): Promise<void> {
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
  const [first, ...rest] = chunks.map((encoded) => insertStatement(db, encoded));
  if (first) await db.batch([first, ...rest]);
}

/** Totals by task and status, and the cumulative duration histogram, for /metrics. */
export async function executionMetrics(db: Db) {
  const [totals, buckets] = await Promise.all([db.select().from(executionTotals), db.select().from(executionDurationBuckets).orderBy(executionDurationBuckets.le)]);
  let atOrUnder = 0;
  return {
    totals,
    buckets: buckets.map((b) => ({ le: b.le, count: (atOrUnder += b.count) })),
    count: totals.reduce((sum, t) => sum + t.count, 0),
    durationMsSum: totals.reduce((sum, t) => sum + t.durationMsSum, 0),
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
  /** Position after which the page starts (newest first): the last row of the previous page. */
  before?: { startedAt: string; id: string };
}

/** Executions newest first, with keyset pagination on (started_at, id). */
export function listExecutions(db: Db, query: ExecutionQuery): Promise<ExecutionRow[]> {
  const filters: (SQL | undefined)[] = [];
  if (query.task) filters.push(eq(executions.taskName, query.task));
  if (query.status) filters.push(eq(executions.status, query.status));
  if (query.trigger) filters.push(eq(executions.trigger, query.trigger));
  if (query.since) filters.push(gte(executions.startedAt, query.since));
  if (query.until) filters.push(lte(executions.startedAt, query.until));
  if (query.before) {
    const { startedAt, id } = query.before;
    filters.push(or(lt(executions.startedAt, startedAt), and(eq(executions.startedAt, startedAt), lt(executions.id, id))));
  }
  return db
    .select()
    .from(executions)
    .where(and(...filters))
    .orderBy(desc(executions.startedAt), desc(executions.id))
    .limit(query.limit);
}

/** One execution with everything, its R2 payload merged back in. */
export async function getExecution(db: Db, bucket: R2Bucket, id: string): Promise<ExecutionRow | undefined> {
  const [row] = await db.select().from(executions).where(eq(executions.id, id)).limit(1);
  if (!row?.payloadKey) return row;
  const object = await bucket.get(row.payloadKey);
  if (!object) return row;
  const payload = (await object.json()) as Payload;
  return { ...row, ...payload };
}
