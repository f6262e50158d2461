import type { SecretValues } from "../../engine/index.ts";

const MAX_ENTRIES = 1_000;

interface Entry {
  /** Null: the task has no secrets, so its runs skip them without a lookup. */
  values: SecretValues | null;
  expires: number;
}

/** Each task's decrypted secrets, per isolate, by task name (as the version cache keeps versions). */
const entries = new Map<string, Entry>();

export function cachedSecrets(task: string, now: number): Entry | undefined {
  const entry = entries.get(task);
  return entry && entry.expires > now ? entry : undefined;
}

/** Moves on at every forget: a read that began before a put or delete must not be remembered after it. */
let generation = 0;

export const secretsGeneration = (): number => generation;

/** Remembers what a read begun at `since` (a secretsGeneration) found, unless a put or delete came since. */
export function rememberSecrets(task: string, values: SecretValues | null, expires: number, since: number): void {
  if (since !== generation) return;
  entries.delete(task);
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(task, { values, expires });
}

/**
 * Drops what this isolate knows of a task's secrets. Every put and delete made through this
 * isolate calls it, so its next run here sees the change at once; other isolates see it when
 * their entry expires (VERSION_CACHE_TTL_MS, as for versions).
 */
export function forgetSecrets(task: string): void {
  generation += 1;
  entries.delete(task);
}
