import type { Handler, Hono } from "hono";
import type { ParamKeys } from "hono/types";
import { describeRoute } from "hono-openapi";
import type { Scope } from "../platform/access/principal.ts";
import type { AppEnv } from "../http/app-env.ts";
import { errorEnvelope } from "./errors.ts";
import { limitRate } from "./middleware/rate-limit.ts";
import { requireScope } from "./middleware/scope.ts";
import { operationFor, type ParameterDoc, type RouteDoc } from "./openapi/operation.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Path parameters a doc must describe: all but `:name`, which is always a task name. */
type OwnParams<Path extends string> = Exclude<ParamKeys<Path>, "name">;
type DocFor<Path extends string> = [OwnParams<Path>] extends [never] ? RouteDoc : RouteDoc & { params: Record<OwnParams<Path>, ParameterDoc> };

/**
 * One route: who may call it, its OpenAPI description and its handler, declared together so the
 * document cannot miss or misstate a route that is served.
 */
export interface Route<Path extends string = string> {
  /** The scope requireScope checks before the handler, and the document names; null: open to anyone. */
  scope: Scope | null;
  /** The route runs a task: the rate limits (middleware/rate-limit.ts) apply after the scope check. */
  rateLimited?: boolean;
  doc: DocFor<Path>;
  handler: Handler<AppEnv>;
}

/** Registers a path's routes, each with its description, guard and rate limit; any other method gets 405 with an Allow header, not a 404. */
export function resource<Path extends string>(app: Hono<AppEnv>, path: Path, routes: Partial<Record<Method, Route<Path>>>): void {
  for (const [method, route] of Object.entries(routes) as [Method, Route<Path>][]) {
    const rateLimited = route.rateLimited ?? false;
    const describe = describeRoute(operationFor(path, route.doc, { scope: route.scope, rateLimited }));
    if (route.scope === null) {
      if (rateLimited) throw new Error(`${method} ${path}: a rate-limited route needs a scope (the limit counts per token)`);
      app.on(method, path, describe, route.handler);
    } else if (rateLimited) app.on(method, path, describe, requireScope(route.scope), limitRate, route.handler);
    else app.on(method, path, describe, requireScope(route.scope), route.handler);
  }
  const allow = Object.keys(routes).join(", ");
  app.all(path, (c) => {
    c.header("Allow", allow);
    return c.json(errorEnvelope("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow}`), 405);
  });
}
