import { ApiError } from "../errors.ts";
import type { Env } from "../env.ts";
import { IsolateRateLimiter, type RateLimiter } from "./limiter.ts";
import { formatRule, parseRule, RATE_LIMITS, type RateRule, type RateScope } from "./rules.ts";

const isolateLimiters = new Map<string, IsolateRateLimiter>();

/**
 * The limiter and size of one scope: the Rate Limiting binding where the runtime has it, else
 * this isolate's own counter, said once in the log unless RATE_LIMIT_COUNTER is "isolate". The
 * counter is exact where one isolate serves everything (`ratchet serve`, which passes no binding
 * for that reason and sets RATE_LIMIT_COUNTER) and weaker than the binding on Cloudflare, where
 * each isolate would count alone.
 */
export function rateLimiter(env: Env, scope: RateScope): { limiter: RateLimiter; rule: RateRule } {
  const spec = RATE_LIMITS[scope];
  const rule = parseRule(env[spec.rule], spec.rule, spec.fallback);
  const binding: unknown = env[spec.binding];
  if (binding !== undefined) {
    if (typeof (binding as Partial<RateLimiter>).limit !== "function") {
      throw new ApiError(500, "misconfigured", `${spec.binding} is not a Rate Limiting binding: declare it under [[ratelimits]] in wrangler.toml, not as a var`);
    }
    return { limiter: binding as RateLimiter, rule };
  }
  const id = `${scope} ${formatRule(rule)}`;
  let limiter = isolateLimiters.get(id);
  if (!limiter) {
    if (env.RATE_LIMIT_COUNTER !== "isolate") console.warn(`No ${spec.binding} binding in this runtime: the ${spec.what} limit (${rule.limit} requests per ${rule.period} s) is counted in this isolate (exact where one isolate serves, as under ratchet serve; on Cloudflare declare [[ratelimits]] ${spec.binding} in wrangler.toml)`);
    limiter = new IsolateRateLimiter(rule);
    isolateLimiters.set(id, limiter);
  }
  return { limiter, rule };
}
