import type { ExecutionContext, ScheduledController } from "@cloudflare/workers-types";
import { runDueSchedules } from "../schedules/runner.ts";
import { createApp } from "./app.ts";
import { ensureBundledTasks } from "./bundled-tasks.ts";
import type { Env } from "../platform/env.ts";
import { warmUp } from "./warm-up.ts";

const app = createApp();
await warmUp(app);

/** The Worker: the Hono app serves HTTP; the every-minute Cron Trigger runs due schedules. */
export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    await ensureBundledTasks(env);
    const report = await runDueSchedules(env, ctx, new Date(controller.scheduledTime));
    if (Object.values(report).some((count) => count > 0)) console.log("scheduler tick", JSON.stringify(report));
  },
};
