import type { Env } from "./env.ts";
import { StorageUnavailableError } from "./storage-errors.ts";

/**
 * Whether this isolate can record executions, as far as it knows. An execution is recorded after
 * it runs (its record holds the output), so a task must not start when its record is known to be
 * unwritable: once a record is finally lost, or a probe finds D1 down, new executions are refused
 * with a 503 before they run. The state ends when a record is written or a probe succeeds. While
 * it lasts, one execution per TRIAL_INTERVAL_MS probes D1 first and runs if D1 answers (a
 * circuit breaker's half-open trial); the others are refused at once, costing nothing.
 */
export const TRIAL_INTERVAL_MS = 1_000;

interface Down {
  since: number;
  reason: string;
  nextTrialAt: number;
}

let down: Down | undefined;

/**
 * `trialAt`: when an execution may next probe and run. A lost record waits TRIAL_INTERVAL_MS; a
 * failed probe lets the next execution probe again at once (it only suggests storage is down).
 */
export function markStorageDown(reason: string, now = Date.now(), trialAt = now + TRIAL_INTERVAL_MS): void {
  if (down) down.reason = reason;
  else down = { since: now, reason, nextTrialAt: trialAt };
}

export function markStorageUp(): void {
  down = undefined;
}

/** Undefined while storage is believed up; otherwise since when (ms) and why it is believed down. */
export function storageDown(): { since: number; reason: string } | undefined {
  return down && { since: down.since, reason: down.reason };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Checks D1 (a trivial query) and R2 (a HEAD of a key that need not exist): "ok" or "down: why"
 * for each. D1 decides the isolate's state (records go to D1); R2 is reported.
 */
export async function probeStorage(env: Pick<Env, "DB" | "BUNDLES">): Promise<{ d1: string; r2: string }> {
  const check = (work: () => Promise<unknown>) => work().then(
    () => "ok",
    (error: unknown) => `down: ${describe(error)}`,
  );
  const [d1, r2] = await Promise.all([check(() => env.DB.prepare("select 1").first()), check(() => env.BUNDLES.head("health-probe"))]);
  if (d1 === "ok") markStorageUp();
  else markStorageDown(`D1 ${d1}`, Date.now(), Date.now());
  return { d1, r2 };
}

function refused(state: Down, now: number): StorageUnavailableError {
  return new StorageUnavailableError(
    "storage_unavailable",
    `Storage is down (${state.reason}), so this execution could not be recorded: it was not run. Try again later.`,
    { down_since: new Date(state.since).toISOString() },
    Math.max(1, Math.ceil((state.nextTrialAt - now) / 1000)),
  );
}

/** Call before a task runs: throws a 503 StorageUnavailableError when its record could not be written. */
export async function admitExecution(env: Pick<Env, "DB" | "BUNDLES">, now = Date.now()): Promise<void> {
  if (!down) return;
  if (now < down.nextTrialAt) throw refused(down, now);
  down.nextTrialAt = now + TRIAL_INTERVAL_MS;
  await probeStorage(env);
  if (down) throw refused(down, now);
}
