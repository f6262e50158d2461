/**
 * Execution records this isolate has accepted and not yet settled (written, or finally lost).
 * Every read of the executions table waits for the ones accepted before it, so a read in this
 * isolate sees every execution the isolate answered for, whether or not its response waited for
 * the record (platform/execute-and-record.ts).
 */
let lastAccepted = 0;
const open = new Set<number>();
let waitingReads = 0;
/** How often a read looks again while records it must see are still being written. */
const LOOK_MS = 1;

/** Call when a record is accepted; the returned function settles it (idempotent). */
export function acceptRecord(): () => void {
  const seq = ++lastAccepted;
  open.add(seq);
  return () => open.delete(seq);
}

/**
 * Resolves once every record accepted so far has settled. It looks on its own timers rather
 * than awaiting the writers' promises: a request woken through another request's promise runs
 * on in that request's context under workerd, and its own I/O then fails.
 */
export async function acceptedRecordsSettled(): Promise<void> {
  const upTo = lastAccepted;
  const pending = () => {
    for (const seq of open) if (seq <= upTo) return true;
    return false;
  };
  if (!pending()) return;
  waitingReads += 1;
  try {
    while (pending()) await new Promise((resolve) => setTimeout(resolve, LOOK_MS));
  } finally {
    waitingReads -= 1;
  }
}

/** Whether a read is waiting for records to settle: a writer gathering rows writes them now. */
export const readWaiting = (): boolean => waitingReads > 0;
