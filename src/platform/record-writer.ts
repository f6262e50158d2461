import { executionRow, insertExecutions, type ExecutionRecordInput, type ExecutionRow } from "../store/executions.ts";
import { isConstraintViolation, isUniqueViolation } from "../store/errors.ts";
import { acceptRecord, readWaiting } from "../store/records-in-flight.ts";
import { openDb, type Db } from "../store/tasks.ts";
import type { Env } from "./env.ts";
import { markStorageDown, markStorageUp } from "./storage-state.ts";

/** Rows one D1 batch writes at most. */
const MAX_BATCH = 250;
/**
 * How long a row may wait for other requests' rows before it is written: a bound, not a
 * gathering delay. A row is written at once when its execution is the only one active in the
 * isolate, and as soon as a look finds no new row queued since the last.
 */
const GATHER_CAP_MS = 4;
/**
 * Between two looks while gathering, a row waits on a zero-delay timer: workerd runs the other
 * requests that are ready first, so the look sees the rows they queued, and the thread is never
 * left idle. With a 1 ms timer, /run/addition did ~10% less under 10 clients at the same CPU per
 * run (the built Worker twice in one workerd, ten alternating rounds: median 938 against 850 rps).
 */
const GATHER_LOOK_MS = 0;
/**
 * A request whose row is queued or being written sleeps until the batch ahead of it should be
 * done (by the isolate's recent batch times), then looks every POLL_MS, on timers of its own:
 * a request woken through another request's promise runs on in that request's context, and its
 * own I/O then fails ("Cannot perform I/O on behalf of a different request": tried, the Worker's
 * concurrent-fetch tests failed that way). Never less than 1 ms: the batch is real I/O, and
 * looking sooner would only spend CPU.
 */
const POLL_MS = 1;
/**
 * Where no response waits for its record (EXECUTION_RECORDS=after-response), the oldest queued
 * row waits up to this long for others, unless a read is waiting for it (records-in-flight.ts):
 * nothing but a read ever waits on it there, so a longer gather costs nobody while fewer, larger
 * batches cost the isolate less.
 */
const AFTER_RESPONSE_GATHER_MS = 20;
/** Weight of the latest batch in the running estimate of a batch's duration. */
const ESTIMATE_WEIGHT = 0.2;
/**
 * Pauses before each further attempt of a record D1 refused (a fault, not the row itself):
 * seven attempts over about 3.2 s, which the response waits for. Then the record is lost,
 * counted in /metrics (ratchet_execution_records_lost_total) and logged.
 */
export const RETRY_PAUSES_MS = [50, 100, 200, 400, 800, 1600];
/** A writer busy this long belongs to a request that was cut off: the next request takes over. */
const WRITER_STALE_MS = 10_000;

/** A record that could not be written, after every attempt. */
export class RecordLostError extends Error {
  constructor(executionId: string, attempts: number, cause: unknown) {
    super(`execution ${executionId} was not recorded after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface Queued {
  row: ExecutionRow;
  queuedAt: number;
  /** Tells reads waiting for this record (store/records-in-flight.ts) the moment it is written, not when its request next looks. */
  settle: () => void;
  state: "queued" | "writing" | "written" | "failed";
  error?: unknown;
}

const queue: Queued[] = [];
let writerSince: number | undefined;
/** How long a D1 batch of records has been taking in this isolate (ms), as a running average. */
let batchEstimateMs = 2;

/**
 * Executions active in this isolate: announced before the task runs, until their record is
 * written or dropped, and not counted while the task waits on a fetch (its row is then far off).
 */
let active = 0;

/** This isolate's record-writing figures, for /metrics. */
export const recordStats = { written: 0, lost: 0, batches: 0, rowsWritten: 0 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An execution that will record: counted as active until its record settles or it is dropped. */
export interface Announced {
  /** The task waits on something outside (a fetch) for a while: not counted meanwhile. */
  pause<T>(work: () => Promise<T>): Promise<T>;
  /** Its record is written or lost, or there will be none: no longer counted (idempotent). */
  done(): void;
}

/**
 * Call before the task runs, and done() once its record settles. Fetches may overlap, and one
 * may still be pending when the run has ended (its wait timed out): the count stays exact.
 */
export function announceRecord(): Announced {
  let counted = true;
  let paused = 0;
  active += 1;
  return {
    async pause(work) {
      if (!counted) return work();
      if (paused++ === 0) active -= 1;
      try {
        return await work();
      } finally {
        if (--paused === 0 && counted) active += 1;
      }
    },
    done() {
      if (!counted) return;
      counted = false;
      if (paused === 0) active -= 1;
    },
  };
}

/** A row D1 holds: counted, and reads waiting for it go on at once. */
function settleWritten(entry: Queued): void {
  entry.state = "written";
  recordStats.written += 1;
  entry.settle();
}

/** Writes rows; a unique violation on a row's id means an earlier attempt already wrote it. */
async function write(db: Db, batch: Queued[]): Promise<void> {
  for (const entry of batch) entry.state = "writing";
  const wrote = (rowsWritten: number, entries: Queued[]) => {
    for (const entry of entries) settleWritten(entry);
    recordStats.batches += 1;
    recordStats.rowsWritten += rowsWritten;
  };
  try {
    wrote((await insertExecutions(db, batch.map((e) => e.row))).rowsWritten, batch);
  } catch {
    // One bad row must not sink the rest: each is tried on its own.
    for (const entry of batch) {
      try {
        wrote((await insertExecutions(db, [entry.row])).rowsWritten, [entry]);
      } catch (error) {
        if (isUniqueViolation(error)) settleWritten(entry);
        else {
          entry.state = "failed";
          entry.error = error;
        }
      }
    }
  }
}

/**
 * Writes one row, sharing D1 writes with the isolate's other requests (group commit). With no
 * writer busy, a row is written at once when its execution is the only one active; otherwise
 * it looks again every POLL_MS while each look finds new rows queued (other requests ran
 * meanwhile; when workerd's thread is busy, requests waiting for it are visible no other way),
 * for GATHER_CAP_MS at most. Rows queued while a batch is being written go in the next one,
 * written by the first of their requests to look. At low load nothing waits. After the response
 * (afterResponse), rows gather for AFTER_RESPONSE_GATHER_MS instead, cut short by a waiting read.
 */
async function writeShared(db: Db, row: ExecutionRow, afterResponse: boolean, settle: () => void): Promise<void> {
  const queuedAt = Date.now();
  const entry: Queued = { row, queuedAt, settle, state: "queued" };
  queue.push(entry);
  let seen = 0;
  for (;;) {
    if (entry.state === "written") return;
    if (entry.state === "failed") throw entry.error;
    const now = Date.now();
    if (writerSince !== undefined && now - writerSince > WRITER_STALE_MS) writerSince = undefined;
    if (writerSince === undefined && entry.state === "queued") {
      if (afterResponse) {
        // The oldest row decides; the others sleep until it should be written.
        const writeAt = queue[0]!.queuedAt + AFTER_RESPONSE_GATHER_MS;
        if (now < writeAt && !readWaiting() && queue.length < MAX_BATCH) {
          await sleep(queue[0] === entry ? POLL_MS : Math.max(POLL_MS, writeAt - now + batchEstimateMs));
          continue;
        }
      } else if (active > 1 && now - queuedAt < GATHER_CAP_MS && queue.length > seen) {
        seen = queue.length;
        await sleep(GATHER_LOOK_MS);
        continue;
      }
      writerSince = now;
      try {
        await write(db, queue.splice(0, MAX_BATCH));
      } finally {
        batchEstimateMs += ESTIMATE_WEIGHT * (Date.now() - now - batchEstimateMs);
        writerSince = undefined;
      }
    } else {
      // Until the batch in flight should end: it holds this row, or must end before this row's batch starts.
      const ahead = writerSince === undefined ? 0 : writerSince + batchEstimateMs - now;
      await sleep(Math.max(POLL_MS, Math.round(ahead)));
    }
  }
}

/**
 * Records one execution and settles when D1 holds it, so any later request, from any isolate,
 * reads it. A record D1 refuses is tried again after each of RETRY_PAUSES_MS; one that breaks a
 * constraint is not (it never will fit). Throws RecordLostError when it was not written, counted;
 * a record lost to a storage fault also marks storage down for the isolate (storage-state.ts).
 */
export async function recordExecution(env: Env, record: ExecutionRecordInput): Promise<void> {
  const settle = acceptRecord();
  try {
    await writeWithRetries(env, record, settle);
  } finally {
    settle();
  }
}

async function writeWithRetries(env: Env, record: ExecutionRecordInput, settle: () => void): Promise<void> {
  const db = openDb(env.DB);
  let row: ExecutionRow | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      // A large payload goes to R2 first: an R2 fault is retried like a D1 one.
      row ??= await executionRow(env.BUNDLES, record);
      await writeShared(db, row, env.EXECUTION_RECORDS === "after-response", settle);
      markStorageUp();
      return;
    } catch (error) {
      const pause = RETRY_PAUSES_MS[attempt - 1];
      if (pause === undefined || isConstraintViolation(error)) {
        recordStats.lost += 1;
        // A row that breaks a constraint is this row's fault; anything else means storage is down.
        if (!isConstraintViolation(error)) markStorageDown(`a record could not be written: ${error instanceof Error ? error.message : String(error)}`);
        throw new RecordLostError(record.result.executionId, attempt, error);
      }
      await sleep(pause);
    }
  }
}
