import type { ExecutionContext } from "@cloudflare/workers-types";
import { inArray } from "drizzle-orm";
import { bundledRegistrations, taskVersions } from "../store/schema.ts";
import { deployBundle, openDb, VersionConflictError, type Db } from "../store/tasks.ts";
import type { Env } from "./env.ts";
import bundled from "./generated/tasks.json" with { type: "json" };
import { engineFor } from "./sandbox.ts";
import { forgetTask } from "./version-cache.ts";
import { syncDeclaredSchedules } from "../schedules/service.ts";

/** Task bundles packed from tasks/ at build time (`npm run pack-tasks`): deploying the Worker deploys them. */
export const BUNDLED = bundled as { name: string; hash: string; document: unknown }[];

/**
 * Registers each bundled task this database has not registered yet (by name and content hash).
 * One that is already there as a version, deployed before registrations were kept or by an
 * earlier attempt that failed before its registration, is only marked: a version a user
 * deployed over it since stays current.
 */
export async function registerBundledTasks(env: Env): Promise<void> {
  if (BUNDLED.length === 0) return;
  const db = openDb(env.DB);
  const hashes = BUNDLED.map((b) => b.hash);
  const [registered, present] = await Promise.all([
    db.select({ name: bundledRegistrations.taskName, hash: bundledRegistrations.hash }).from(bundledRegistrations).where(inArray(bundledRegistrations.hash, hashes)),
    db.select({ name: taskVersions.taskName, hash: taskVersions.hash }).from(taskVersions).where(inArray(taskVersions.hash, hashes)),
  ]);
  const key = (p: { name: string; hash: string }) => `${p.name} ${p.hash}`;
  const done = new Set(registered.map(key));
  const deployed = new Set(present.map(key));
  for (const { name, hash, document } of BUNDLED) {
    if (done.has(key({ name, hash }))) continue;
    if (!deployed.has(key({ name, hash })) && !(await deployBundled(env, db, name, document))) continue;
    await db.insert(bundledRegistrations).values({ taskName: name, hash, registeredAt: new Date().toISOString() }).onConflictDoNothing();
  }
}

/** Deploys one bundled task; false when it cannot be (logged), so it is tried again by the next isolate. */
async function deployBundled(env: Env, db: Db, name: string, document: unknown): Promise<boolean> {
  const checked = await engineFor(env).loadDocument(document);
  if (!checked.ok) {
    console.error(`bundled task ${name} is not valid`, checked.problems);
    return false;
  }
  try {
    const deployed = await deployBundle(db, env.BUNDLES, name, checked.bundle);
    forgetTask(name);
    await syncDeclaredSchedules(db, deployed.version);
    return true;
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    console.error(`bundled task ${name} not registered: ${error.message}`);
    return false;
  }
}

let registered = false;
/** A registration running after some request's response (through its waitUntil). */
let inBackground = false;

/**
 * Registers the bundled tasks, idempotently by content hash, until it has succeeded once in
 * this isolate. Each request runs its own check rather than awaiting another request's: in
 * workerd a request cannot wait on I/O that belongs to another.
 */
export async function ensureBundledTasks(env: Env): Promise<void> {
  if (registered) return;
  await registerBundledTasks(env);
  registered = true;
}

/**
 * For an invocation of `name` that found no task: when `name` is a bundled task this isolate has
 * not registered yet, registers now and answers true (look again); otherwise false.
 */
export async function registeredOnDemand(env: Env, name: string): Promise<boolean> {
  if (registered || !BUNDLED.some((b) => b.name === name)) return false;
  await ensureBundledTasks(env);
  return true;
}

/** Whether this isolate has registered the bundled tasks. */
export const bundledTasksRegistered = (): boolean => registered;

/** Registers the bundled tasks once the current request is answered, one attempt at a time per isolate. */
export function registerBundledTasksLater(env: Env, ctx: Pick<ExecutionContext, "waitUntil">): void {
  if (registered || inBackground) return;
  inBackground = true;
  ctx.waitUntil(
    ensureBundledTasks(env)
      .catch((error) => console.error("bundled tasks not registered yet; the next request tries again", error))
      .finally(() => (inBackground = false)),
  );
}
