import type { Handler, Hono, MiddlewareHandler } from "hono";
import { errorEnvelope } from "./errors.ts";
import type { AppEnv } from "./app-env.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A handler, or a guard (such as requireScope) and the handler it lets through. */
export type Route = Handler<AppEnv> | readonly [MiddlewareHandler<AppEnv>, Handler<AppEnv>];

/** Registers a path's handlers; any other method gets 405 with an Allow header, not a 404. */
export function resource(app: Hono<AppEnv>, path: string, handlers: Partial<Record<Method, Route>>): void {
  for (const [method, route] of Object.entries(handlers)) {
    if (typeof route === "function") app.on(method, path, route);
    else app.on(method, path, route[0], route[1]);
  }
  const allow = Object.keys(handlers).join(", ");
  app.all(path, (c) => {
    c.header("Allow", allow);
    return c.json(errorEnvelope("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow}`), 405);
  });
}
