/**
 * Who a request acts as, and what it may do. Every front door (REST routes, /mcp, GraphQL, the
 * dashboard) asks the same two questions of the same Principal, so access is one rule everywhere.
 */

/** Each scope includes those after it: admin ⊃ deploy ⊃ execute ⊃ read. */
export const SCOPES = ["admin", "deploy", "execute", "read"] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** "open": no access control (local serve, tests); "bootstrap": RATCHET_API_TOKEN; "token": an API token from D1. */
  kind: "open" | "bootstrap" | "token";
  /** The API token's id (kind "token"). */
  tokenId?: string;
  /** A name for logs and the dashboard: the token's name, "bootstrap" or "local". */
  name: string;
  /** The scopes as granted; use `hasScope` to ask, which applies the inclusion order. */
  scopes: Scope[];
  /** When set, the only task names this principal may touch. */
  tasks: string[] | null;
}

export const OPEN_PRINCIPAL: Principal = { kind: "open", name: "local", scopes: ["admin"], tasks: null };

/** Whether the principal holds `scope`, directly or through a broader one. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  const needed = SCOPES.indexOf(scope);
  return principal.scopes.some((granted) => SCOPES.indexOf(granted) <= needed);
}

/** Whether the principal may touch the task `name` (always, when it is not limited to some tasks). */
export function canTouchTask(principal: Principal, name: string): boolean {
  return principal.tasks === null || principal.tasks.includes(name);
}
