import type { MiddlewareHandler } from "hono";
import { checkRateLimits } from "../../platform/rate-limit/check.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { errorEnvelope } from "../errors.ts";

/**
 * The rate limits of the routes that run a task, and of /mcp (platform/rate-limit/check.ts).
 * It runs after authentication, whose principal is the token key. Over either limit: 429 with
 * Retry-After and the error envelope.
 */
export const limitRate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get("principal");
  if (!principal) throw new Error(`limitRate on ${c.req.path} runs before authentication: register it after the authenticate middleware`);
  const refusal = await checkRateLimits(c.env, principal, c.req.header("CF-Connecting-IP"));
  if (!refusal) return next();
  c.header("Retry-After", String(refusal.retryAfter));
  return c.json(errorEnvelope("rate_limited", refusal.message, refusal.details), 429);
};
