import asyncify from "@jitl/quickjs-wasmfile-release-asyncify/wasm";
import sync from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { DEFAULT_MAXIMA, Engine, restoreBundle, type TaskBundle } from "../engine/index.ts";
import { workerEgress } from "./egress.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";
import type { R2Bucket } from "@cloudflare/workers-types";

let engine: Engine | undefined;

const MiB = 1024 * 1024;
const DEFAULT_POOL_SIZE = 8;
const DEFAULT_MEMORY_MB = 96;

/** A positive whole number from a Worker variable, or the default. */
const setting = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
};

/** The isolate's engine, created on first use and shared by its requests. */
export function engineFor(env: Env): Engine {
  engine ??= new Engine({
    wasm: { sync, asyncify },
    poolSize: setting(env.SANDBOX_POOL_SIZE, DEFAULT_POOL_SIZE),
    memoryBudgetBytes: setting(env.SANDBOX_MEMORY_MB, DEFAULT_MEMORY_MB) * MiB,
    // A production isolate has 128 MB for everything: keep one execution's heap well below.
    maxima: { ...DEFAULT_MAXIMA, memoryBytes: 32 * 1024 * 1024 },
    egress: workerEgress(env),
  });
  return engine;
}

const MAX_CACHED_BUNDLES = 200;
const bundles = new Map<string, TaskBundle>();

/**
 * Bundles by content hash, cached per isolate: a hash names one content forever, so a cached
 * bundle is never stale, and a new deploy (a new hash) is seen at once. Only loaded bundles are
 * shared: a request never waits on another request's R2 read (workerd cancels such waits).
 */
export async function loadBundle(bucket: R2Bucket, hash: string, key: string): Promise<TaskBundle> {
  const cached = bundles.get(hash);
  if (cached) return cached;
  const object = await bucket.get(key);
  // Lost, not unreachable: trying again will not help, deploying the content again will (it puts the object back).
  if (!object) throw new ApiError(503, "bundle_missing", `The bundle object ${key} of this version is missing from R2; deploy the task again to restore it`);
  return cacheBundle(await restoreBundle(await object.json(), hash));
}

/** Keeps a bundle this isolate already holds (one packed into the Worker, say) for loadBundle. */
export function cacheBundle(bundle: TaskBundle): TaskBundle {
  bundles.set(bundle.hash, bundle);
  if (bundles.size > MAX_CACHED_BUNDLES) bundles.delete(bundles.keys().next().value!);
  return bundle;
}
