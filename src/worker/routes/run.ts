import type { Hono } from "hono";
import type { AppEnv } from "../../http/app-env.ts";
import { executeHandler, executionDoc } from "../execution-reply.ts";
import { resource } from "../resource.ts";

/** Function-URL style: the body is the input, the answer is the task's output itself. */
export function runRoutes(app: Hono<AppEnv>): void {
  resource(app, "/run/:name", { POST: { scope: "execute", rateLimited: true, doc: executionDoc("bare"), handler: executeHandler("bare") } });
}
