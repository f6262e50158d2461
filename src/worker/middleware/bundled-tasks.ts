import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../http/app-env.ts";
import { bundledTasksRegistered, ensureBundledTasks, registerBundledTasksLater } from "../../platform/bundled-tasks.ts";

/** Invocations and reads of history do not wait for registration: an invocation of a bundled task not yet there registers it on demand. */
const RUNS_WITHOUT_REGISTRATION = /\/(run\/[^/]+|tasks\/[^/]+\/execute|executions(\/[^/]*)?|validate|metrics)$/;

/**
 * Requests about tasks and schedules wait until the bundled tasks are registered in this isolate
 * (a list must show them, a deploy must not race them). The others go on, and registration runs
 * after their response: on a fresh isolate, the first invocation does not pay for it.
 */
export const bundledTasks: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (bundledTasksRegistered()) return next();
  if (!RUNS_WITHOUT_REGISTRATION.test(c.req.path)) {
    await ensureBundledTasks(c.env);
    return next();
  }
  await next();
  // Started once the answer is made, so its D1 reads do not slow this request's own.
  registerBundledTasksLater(c.env, c.executionCtx);
};
