import type { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { executionReply } from "../execution-reply.ts";
import { invokeTask } from "../invoke.ts";
import { readJson, taskName } from "../request.ts";
import { resource } from "../resource.ts";

/** Function-URL style: the body is the input, the answer is the task's output itself. */
export function runRoutes(app: Hono<AppEnv>): void {
  resource(app, "/run/:name", {
    POST: async (c) => {
      const name = taskName(c);
      const input = await readJson(c);
      const { result } = await invokeTask(c.env, c.executionCtx, name, input, { trigger: "http", version: c.req.query("version") });
      return executionReply(c, result, "bare");
    },
  });
}
