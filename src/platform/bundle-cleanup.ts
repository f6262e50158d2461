import { inArray } from "drizzle-orm";
import { taskVersions } from "../store/schema.ts";
import { bundleKey, openDb } from "../store/tasks.ts";
import type { Env } from "./env.ts";

/**
 * Removes bundle objects no task version points to: what a deploy leaves in R2 when it fails
 * between its R2 put and its D1 batch (store/tasks.ts deployBundle), and the bundles of deleted
 * tasks (deleteTask leaves them here). Run by the scheduler once an hour.
 */

/**
 * Objects uploaded more recently are kept: a deploy in flight has put its object and not yet
 * committed its version. A deploy rewrites its object even when it exists, so this also covers
 * a deploy that reuses an old orphan's key.
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** The minute of each hour (UTC) at which the scheduler's tick runs the cleanup. */
export const CLEANUP_MINUTE = 30;
/** Keys looked at per cleanup, bounding one tick's work; the next cleanup goes on from there. */
const PAGE_SIZE = 500;
/** D1 binds at most 100 values per statement. */
const LOOKUP_CHUNK = 90;
const PREFIX = "bundles/";

/** Where the last cleanup in this isolate stopped (R2's list cursor); undefined: from the start. */
let cursor: string | undefined;

export interface CleanupReport {
  listed: number;
  deleted: string[];
}

export const cleanupDue = (tick: Date) => tick.getUTCMinutes() === CLEANUP_MINUTE;

/** The content hash a bundle key names (the inverse of bundleKey), or undefined for another key. */
function hashOf(key: string): string | undefined {
  const match = /^bundles\/([^/]+)\/([^/]+)\.json$/.exec(key);
  const hash = match && `${match[1]}:${match[2]}`;
  return hash && bundleKey(hash) === key ? hash : undefined;
}

/**
 * One bounded pass: lists up to PAGE_SIZE bundle objects after where the last pass stopped,
 * looks up which hashes some version still uses (by the hash index), and deletes the others
 * that are older than ORPHAN_GRACE_MS at `now`, checking each one's age again just before
 * (a deploy may have rewritten it since the listing).
 */
export async function cleanOrphanBundles(env: Pick<Env, "DB" | "BUNDLES">, now: Date): Promise<CleanupReport> {
  const listing = await env.BUNDLES.list({ prefix: PREFIX, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
  cursor = listing.truncated ? listing.cursor : undefined;
  const old = (object: { uploaded: Date }) => now.getTime() - object.uploaded.getTime() > ORPHAN_GRACE_MS;
  const candidates = new Map<string, string>();
  for (const object of listing.objects) {
    const hash = hashOf(object.key);
    if (hash && old(object)) candidates.set(hash, object.key);
  }
  const db = openDb(env.DB);
  const hashes = [...candidates.keys()];
  for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) {
    const used = await db.selectDistinct({ hash: taskVersions.hash }).from(taskVersions).where(inArray(taskVersions.hash, hashes.slice(start, start + LOOKUP_CHUNK)));
    for (const { hash } of used) candidates.delete(hash);
  }
  const deleted: string[] = [];
  for (const key of candidates.values()) {
    const current = await env.BUNDLES.head(key);
    if (current && old(current)) deleted.push(key);
  }
  if (deleted.length > 0) await env.BUNDLES.delete(deleted);
  return { listed: listing.objects.length, deleted };
}
