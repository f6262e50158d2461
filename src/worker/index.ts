import type { ExecutionContext, ScheduledController } from "@cloudflare/workers-types";
import { cleanOrphanBundles, cleanupDue } from "../platform/bundle-cleanup.ts";
import { runDueSchedules } from "../schedules/runner.ts";
import { createApp } from "./app.ts";
import { ensureBundledTasks } from "../platform/bundled-tasks.ts";
import type { Env } from "../platform/env.ts";
import { warmUp } from "./warm-up.ts";

const app = createApp();
await warmUp(app);

/** The Worker: the Hono app serves HTTP; the every-minute Cron Trigger runs due schedules, and once an hour the orphan bundle cleanup. */
export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    await ensureBundledTasks(env);
    const now = new Date(controller.scheduledTime);
    const report = await runDueSchedules(env, ctx, now);
    if (Object.values(report).some((count) => count > 0)) console.log("scheduler tick", JSON.stringify(report));
    if (cleanupDue(now)) {
      const cleaned = await cleanOrphanBundles(env, now);
      if (cleaned.deleted.length > 0) console.log("orphan bundles removed", JSON.stringify(cleaned.deleted));
    }
  },
};
