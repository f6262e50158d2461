import { inArray } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { taskVersions } from "../store/schema.ts";
import { deployBundle, openDb, VersionConflictError } from "../store/tasks.ts";
import type { AppEnv } from "./app-env.ts";
import type { Env } from "./env.ts";
import bundled from "./generated/tasks.json" with { type: "json" };
import { engineFor } from "./sandbox.ts";
import { forgetTask } from "./version-cache.ts";
import { syncDeclaredSchedules } from "../schedules/service.ts";

/** Task bundles packed from tasks/ at build time (`npm run pack-tasks`): deploying the Worker deploys them. */
const BUNDLED = bundled as { name: string; hash: string; document: unknown }[];

async function register(env: Env): Promise<void> {
  if (BUNDLED.length === 0) return;
  const db = openDb(env.DB);
  const present = await db
    .select({ name: taskVersions.taskName, hash: taskVersions.hash })
    .from(taskVersions)
    .where(inArray(taskVersions.hash, BUNDLED.map((b) => b.hash)));
  const known = new Set(present.map((p) => `${p.name} ${p.hash}`));
  for (const { name, hash, document } of BUNDLED) {
    if (known.has(`${name} ${hash}`)) continue;
    const checked = await engineFor(env).loadDocument(document);
    if (!checked.ok) {
      console.error(`bundled task ${name} is not valid`, checked.problems);
      continue;
    }
    try {
      const deployed = await deployBundle(db, env.BUNDLES, name, checked.bundle);
      forgetTask(name);
      await syncDeclaredSchedules(db, deployed.version);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      console.error(`bundled task ${name} not registered: ${error.message}`);
    }
  }
}

let registered = false;

/**
 * Registers the bundled tasks, idempotently by content hash, until it has succeeded once in
 * this isolate. Each request runs its own check rather than awaiting another request's: in
 * workerd a request cannot wait on I/O that belongs to another.
 */
export async function ensureBundledTasks(env: Env): Promise<void> {
  if (registered) return;
  await register(env);
  registered = true;
}

export const bundledTasks: MiddlewareHandler<AppEnv> = async (c, next) => {
  await ensureBundledTasks(c.env);
  return next();
};
