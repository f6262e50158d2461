import { executionRow, insertExecutions, type ExecutionRecordInput, type ExecutionRow } from "../store/executions.ts";
import { isUniqueViolation } from "../store/errors.ts";
import { openDb, type Db } from "../store/tasks.ts";
import type { Env } from "./env.ts";

/** Rows one D1 batch writes at most. */
const MAX_BATCH = 250;
/**
 * How long a writer lets rows gather before it writes them. Each D1 call costs far more than
 * a row in it (locally, Miniflare spends ~0.85 ms of CPU on a call and ~0.05 ms on a row),
 * so under load this turns many calls into one; a record lands some 50-100 ms after its
 * response, which nobody waits for (the scheduler's runs excepted, which run side by side).
 */
const GATHER_MS = 50;
/**
 * How often a request whose row is queued or being written looks whether it is done. Each
 * look is a timer the request pays for; with looks as far apart as the gathering, most rows
 * are written by the first one.
 */
const POLL_MS = 50;
/** After this many looks (~5 s or more) a request stops relying on a writer that may be gone and writes its row itself. */
const MAX_POLLS = 100;

interface Queued {
  row: ExecutionRow;
  state: "queued" | "writing" | "written" | "failed";
  error?: unknown;
}

const queue: Queued[] = [];
let writing = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes rows; a unique violation on a row's id means an earlier attempt already wrote it. */
async function write(db: Db, batch: Queued[]): Promise<void> {
  for (const entry of batch) entry.state = "writing";
  try {
    await insertExecutions(db, batch.map((e) => e.row));
    for (const entry of batch) entry.state = "written";
  } catch {
    // One bad row must not sink the rest: each is tried on its own.
    for (const entry of batch) {
      try {
        await insertExecutions(db, [entry.row]);
        entry.state = "written";
      } catch (error) {
        entry.state = isUniqueViolation(error) ? "written" : "failed";
        entry.error = error;
      }
    }
  }
}

/**
 * Records one execution, sharing D1 writes with the isolate's other requests (group commit):
 * the first request to find no writer lets rows gather for GATHER_MS and writes them all in
 * one batch; rows queued while it writes go with the next batch. Each request stays (through
 * its own waitUntil) until its own row is written, and waits on its own timers, never on
 * another request's promise, which workerd would cancel as hung.
 */
export async function recordExecution(env: Env, record: ExecutionRecordInput): Promise<void> {
  const db = openDb(env.DB);
  const entry: Queued = { row: await executionRow(env.BUNDLES, record), state: "queued" };
  queue.push(entry);
  for (let polls = 0; ; polls += 1) {
    if (entry.state === "written") return;
    if (entry.state === "failed") throw entry.error;
    if (!writing) {
      writing = true;
      try {
        await sleep(GATHER_MS);
        await write(db, queue.splice(0, MAX_BATCH));
      } finally {
        writing = false;
      }
    } else if (polls >= MAX_POLLS) {
      // The writer may belong to a request that was cut off: stop waiting for it.
      writing = false;
      if (entry.state === "queued") queue.splice(queue.indexOf(entry), 1);
      await write(db, [entry]);
    } else {
      await sleep(POLL_MS);
    }
  }
}
