import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";

/** Checks D1 and R2 for real; 503 naming what is down. */
export async function health(c: Context<AppEnv>): Promise<Response> {
  const checks: Record<string, string> = {};
  const probe = async (name: string, check: () => Promise<unknown>) => {
    try {
      await check();
      checks[name] = "ok";
    } catch (error) {
      checks[name] = `down: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  await Promise.all([probe("d1", () => c.env.DB.prepare("select 1").first()), probe("r2", () => c.env.BUNDLES.head("health-probe"))]);
  const down = Object.entries(checks).filter(([, state]) => state !== "ok").map(([name]) => name);
  if (down.length > 0) return c.json({ status: "down", down, checks }, 503);
  return c.json({ status: "ok", checks });
}
