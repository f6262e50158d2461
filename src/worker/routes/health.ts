import type { Context } from "hono";
import { probeStorage, storageDown } from "../../platform/storage-state.ts";
import type { AppEnv } from "../../http/app-env.ts";
import type { Route } from "../resource.ts";

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

/** GET /health, at the root and under /api/v1: open, so a load balancer needs no token. */
export const healthRoute: Route<"/health"> = {
  scope: null,
  doc: {
    tag: "operations",
    summary: "Health of D1 and R2",
    responses: { 200: { description: "Both stores answer", schema: "Health" }, 503: { description: "A store is down: which, and why; Retry-After: 1", schema: "Health" } },
  },
  handler: health,
};
