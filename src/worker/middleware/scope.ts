import type { MiddlewareHandler } from "hono";
import { canTouchTask, hasScope, type Principal, type Scope } from "../../platform/access/principal.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { ApiError, errorEnvelope } from "../errors.ts";
import { principalFor } from "./auth.ts";

function describe(principal: Principal): string {
  return principal.kind === "bootstrap" ? "the bootstrap token" : `token '${principal.name}'`;
}

/**
 * A route's guard: 403 unless the principal holds `scope` (or a broader one) and, when the route has a
 * `:name` task, may touch that task. Authenticates first when no earlier middleware did, so a route
 * mounted anywhere is never left open by its guard.
 */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await principalFor(c);
    if (principal instanceof Response) return principal;
    if (!hasScope(principal, scope)) {
      const message = `This needs the '${scope}' scope; ${describe(principal)} has: ${principal.scopes.join(", ") || "none"}`;
      return c.json(errorEnvelope("forbidden", message, { needed: scope, scopes: principal.scopes }), 403);
    }
    const task = c.req.param("name");
    if (task !== undefined) requireTask(principal, task);
    await next();
  };
}

/** A guard for what a token limited to some tasks may not do at all (manage tokens, /mcp): 403 saying so. */
export function requireUnlimited(what: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await principalFor(c);
    if (principal instanceof Response) return principal;
    if (principal.tasks !== null) {
      const message = `Task-limited tokens cannot ${what} yet; ${describe(principal)} is limited to ${principal.tasks.join(", ")}. Use a token without a task list.`;
      return c.json(errorEnvelope("forbidden", message, { tasks: principal.tasks }), 403);
    }
    await next();
  };
}

/** 403 unless the principal may touch `task`: for routes that learn the task from their body, such as creating a schedule. */
export function requireTask(principal: Principal, task: string): void {
  if (canTouchTask(principal, task)) return;
  const message = `${describe(principal)} is limited to the tasks ${principal.tasks!.join(", ")}; '${task}' is not one of them`;
  throw new ApiError(403, "forbidden", message, { task, tasks: principal.tasks });
}
