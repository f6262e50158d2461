import type { Context, MiddlewareHandler } from "hono";
import { AccessError } from "../../platform/access/access-error.ts";
import type { Principal } from "../../platform/access/principal.ts";
import { authenticate as identify } from "../../platform/access/tokens.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { errorEnvelope } from "../errors.ts";

/** The request's principal, established once per request; a 401 response when there is none. */
export async function principalFor(c: Context<AppEnv>): Promise<Principal | Response> {
  const known = c.get("principal");
  if (known) return known;
  const who = await identify(c.env, c.req.header("Authorization"));
  if (who instanceof AccessError) {
    c.header("WWW-Authenticate", 'Bearer realm="ratchet"');
    return c.json(errorEnvelope(who.code, who.message, { reason: who.reason }), 401);
  }
  c.set("principal", who);
  return who;
}

/** Sets `c.get("principal")` for the routes after it, or answers 401 (missing, unknown or revoked token, or no access control configured). */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const who = await principalFor(c);
  if (who instanceof Response) return who;
  await next();
};
