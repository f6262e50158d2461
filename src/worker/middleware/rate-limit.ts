import type { MiddlewareHandler } from "hono";
import { rateLimiter } from "../../platform/rate-limit/select.ts";
import { RATE_LIMITS, retryAfterSeconds, type RateScope } from "../../platform/rate-limit/rules.ts";
import type { AppEnv } from "../app-env.ts";
import { errorEnvelope } from "../errors.ts";

/** Requests without CF-Connecting-IP come from the local host (Miniflare, `ratchet serve`): one address for all. */
const LOCAL_CLIENT = "local";

/**
 * The rate limits of routes that run a task, and of /mcp: each request counts once against its
 * client address (CF-Connecting-IP, which Cloudflare sets) and once against its token (the
 * authenticated principal, so this runs after authentication). Over either: 429 with
 * Retry-After, naming the limit, its size and when to retry.
 */
export const limitRate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get("principal");
  const keys: Record<RateScope, string> = { client: c.req.header("CF-Connecting-IP") ?? LOCAL_CLIENT, token: principal.tokenId ?? principal.kind };
  const scopes = Object.keys(keys) as RateScope[];
  const checks = scopes.map((scope) => rateLimiter(c.env, scope));
  const outcomes = await Promise.all(checks.map(({ limiter }, i) => limiter.limit({ key: keys[scopes[i]!] })));
  const refused = outcomes.findIndex((outcome) => !outcome.success);
  if (refused === -1) return next();

  const scope = scopes[refused]!;
  const { rule } = checks[refused]!;
  const retryAfter = retryAfterSeconds(rule, Date.now());
  const what = RATE_LIMITS[scope].what;
  c.header("Retry-After", String(retryAfter));
  const message = `Rate limit reached for this ${what}: ${rule.limit} requests per ${rule.period} s. Retry after ${retryAfter} s.`;
  return c.json(errorEnvelope("rate_limited", message, { limit: scope, size: rule.limit, period_seconds: rule.period, retry_after_seconds: retryAfter }), 429);
};
