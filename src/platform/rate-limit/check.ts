import type { Principal } from "../access/principal.ts";
import type { Env } from "../env.ts";
import { RATE_LIMITS, retryAfterSeconds, type RateRule, type RateScope } from "./rules.ts";
import { rateLimiter } from "./select.ts";

/** Requests without CF-Connecting-IP come from the local host (Miniflare, `ratchet serve`): one address for all. */
const LOCAL_CLIENT = "local";

/** Why a request was refused, for each front door (REST, /mcp, GraphQL, the dashboard) to render its own way. */
export interface RateRefusal {
  scope: RateScope;
  rule: RateRule;
  /** Seconds; also the Retry-After header. */
  retryAfter: number;
  message: string;
  details: { limit: RateScope; size: number; period_seconds: number; retry_after_seconds: number };
}

/**
 * Counts a request that runs a task once against its client address (CF-Connecting-IP, which
 * Cloudflare sets and a client cannot) and, when access control is on, once against its token (an
 * API token's id, or "bootstrap"), and says which limit refused it, if one did.
 */
export async function checkRateLimits(env: Env, principal: Principal, clientAddress: string | undefined): Promise<RateRefusal | null> {
  const keys: Record<RateScope, string> = { client: clientAddress ?? LOCAL_CLIENT, token: principal.tokenId ?? principal.kind };
  // Open access has no token to count: every request would share one key, which the client limit already covers.
  const scopes: RateScope[] = principal.kind === "open" ? ["client"] : ["client", "token"];
  const checks = scopes.map((scope) => rateLimiter(env, scope));
  const outcomes = await Promise.all(checks.map(({ limiter }, i) => limiter.limit({ key: keys[scopes[i]!] })));
  const refused = outcomes.findIndex((outcome) => !outcome.success);
  if (refused === -1) return null;

  const scope = scopes[refused]!;
  const { rule } = checks[refused]!;
  const retryAfter = retryAfterSeconds(rule, Date.now());
  return {
    scope,
    rule,
    retryAfter,
    message: `Rate limit reached for this ${RATE_LIMITS[scope].what}: ${rule.limit} requests per ${rule.period} s. Retry after ${retryAfter} s.`,
    details: { limit: scope, size: rule.limit, period_seconds: rule.period, retry_after_seconds: retryAfter },
  };
}
