import type { Handler, Hono } from "hono";
import { errorEnvelope } from "./errors.ts";
import type { AppEnv } from "./app-env.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Registers a path's handlers; any other method gets 405 with an Allow header, not a 404. */
export function resource(app: Hono<AppEnv>, path: string, handlers: Partial<Record<Method, Handler<AppEnv>>>): void {
  for (const [method, handler] of Object.entries(handlers)) app.on(method, path, handler);
  const allow = Object.keys(handlers).join(", ");
  app.all(path, (c) => {
    c.header("Allow", allow);
    return c.json(errorEnvelope("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow}`), 405);
  });
}
