import type { Context } from "hono";
import { probeStorage, storageDown } from "../../platform/storage-state.ts";
import type { AppEnv } from "../app-env.ts";

/**
 * Checks D1 (a trivial query) and R2 (a HEAD) for real: 503 naming what is down. A D1 probe also
 * sets the isolate's storage state (storage-state.ts): a success ends a "storage down" period.
 */
export async function health(c: Context<AppEnv>): Promise<Response> {
  const checks = await probeStorage(c.env);
  const down = Object.entries(checks).filter(([, state]) => state !== "ok").map(([name]) => name);
  if (down.length > 0) {
    c.header("Retry-After", "1");
    return c.json({ status: "down", down, checks, ...recording() }, 503);
  }
  return c.json({ status: "ok", checks });
}

/** Since when this isolate has refused executions because storage is down. */
function recording() {
  const state = storageDown();
  return state ? { executions_refused_since: new Date(state.since).toISOString() } : {};
}

