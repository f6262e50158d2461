import { findServingVersion, findVersionRef, openDb, type VersionRef } from "../store/tasks.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";

/** How long an isolate trusts a lookup it made when the setting is absent. */
const DEFAULT_TTL_MS = 1_000;
const MAX_ENTRIES = 1_000;

interface Entry {
  /** Undefined for an explicit version; otherwise whether the task is enabled. */
  enabled?: boolean;
  version: VersionRef;
  expires: number;
}

/** Keyed by task name, then by "" (the serving version) or a version string. */
const entries = new Map<string, Map<string, Entry>>();

/** How long an isolate trusts what it read of a task (VERSION_CACHE_TTL_MS): versions and secrets alike. */
export function ttlMs(env: Env): number {
  const configured = Number(env.VERSION_CACHE_TTL_MS ?? DEFAULT_TTL_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_TTL_MS;
}

function remember(name: string, key: string, entry: Entry): void {
  let versions = entries.get(name);
  if (!versions) {
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    versions = new Map();
    entries.set(name, versions);
  }
  versions.set(key, entry);
}

/**
 * Drops what this isolate knows of `name`. Every change to a task made through this isolate
 * (deploy, rollback, enable/disable, delete) calls it, so the change is seen here at once;
 * other isolates see it when their entry expires.
 */
export function forgetTask(name: string): void {
  entries.delete(name);
}

/**
 * The version to run for `name` (its serving one, or `version` when given): 404 when there is
 * none, 409 when the task is disabled. Lookups are cached per isolate for VERSION_CACHE_TTL_MS
 * (0 turns the cache off): the hot path reads D1 once per task per TTL, not once per request.
 * The bundle itself is cached by content hash, so a changed version is never served stale
 * content, only (across isolates, for at most the TTL) the version that was serving before.
 */
export async function resolveVersion(env: Env, name: string, version?: string): Promise<VersionRef> {
  const key = version ?? "";
  const now = Date.now();
  let entry = entries.get(name)?.get(key);
  if (!entry || entry.expires <= now) {
    const db = openDb(env.DB);
    const found = version === undefined ? await findServingVersion(db, name) : await findVersionRef(db, name, version);
    if (!found) {
      entries.get(name)?.delete(key);
      throw version === undefined
        ? new ApiError(404, "not_found", `No task named ${name}`)
        : new ApiError(404, "not_found", `Task ${name} has no version ${version}`);
    }
    entry = "enabled" in found ? { enabled: found.enabled, version: found.version, expires: now + ttlMs(env) } : { version: found, expires: now + ttlMs(env) };
    remember(name, key, entry);
  }
  if (entry.enabled === false) throw new ApiError(409, "task_disabled", `Task ${name} is disabled`);
  return entry.version;
}
