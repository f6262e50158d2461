import type { ExecutionContext } from "@cloudflare/workers-types";
import { GraphQLError } from "graphql";
import { canTouchTask, hasScope, type Principal, type Scope } from "../platform/access/principal.ts";
import type { Env } from "../platform/env.ts";
import { QUERY_LIMITS } from "./limits.ts";

/** What every resolver gets: this request's bindings, who it acts as, and its read budget. */
export interface GraphQLContext {
  env: Env;
  executionCtx: Pick<ExecutionContext, "waitUntil">;
  principal: Principal;
  /** Store reads this request made, and their results by key (a query names the same row many times). */
  reads: Map<string, Promise<unknown>>;
}

export function createContext(env: Env, executionCtx: Pick<ExecutionContext, "waitUntil">, principal: Principal): GraphQLContext {
  return { env, executionCtx, principal, reads: new Map() };
}

/** Who the principal is, in a refusal's message. */
function describe(principal: Principal): string {
  return principal.kind === "bootstrap" ? "the bootstrap token" : `token '${principal.name}'`;
}

/** A refusal, with the code and details of the REST API's 403 (requireScope). */
function forbidden(message: string, details: object): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "forbidden", details } });
}

/** Refuses unless the request's principal holds `scope`. */
export function need(ctx: GraphQLContext, scope: Scope, what: string): void {
  const { principal } = ctx;
  if (!hasScope(principal, scope)) {
    const message = `${what} needs the '${scope}' scope; ${describe(principal)} has: ${principal.scopes.join(", ") || "none"}. Use a token with '${scope}' (an admin issues one with POST /api/v1/tokens).`;
    throw forbidden(message, { needed: scope, scopes: principal.scopes });
  }
}

/** Refuses unless the principal may touch the task `name` (a token limited to some tasks). */
export function touch(ctx: GraphQLContext, name: string): void {
  const { principal } = ctx;
  if (!canTouchTask(principal, name)) {
    const message = `${describe(principal)} is limited to the tasks ${principal.tasks!.join(", ")}; '${name}' is not one of them. Use a token that covers it.`;
    throw forbidden(message, { task: name, tasks: principal.tasks });
  }
}

/**
 * One store read, made once per request whatever number of fields ask for it, and counted: a
 * query that fans out into more reads than QUERY_LIMITS.reads is stopped (the static cost limit
 * cannot see how long the lists it multiplies will be).
 */
export function read<T>(ctx: GraphQLContext, key: string, load: () => Promise<T>): Promise<T> {
  const known = ctx.reads.get(key);
  if (known) return known as Promise<T>;
  if (ctx.reads.size >= QUERY_LIMITS.reads) {
    throw new GraphQLError(`This query needs more than ${QUERY_LIMITS.reads} storage reads; ask for fewer items per page (first) or fewer nested lists, and page through the rest.`, {
      extensions: { code: "query_limit", limit: "reads", max: QUERY_LIMITS.reads },
    });
  }
  const loaded = load();
  ctx.reads.set(key, loaded);
  return loaded;
}
