import { ApiError } from "../errors.ts";

/**
 * The two rate limits on execution routes and /mcp: per client address and per token. Each is a
 * Cloudflare Rate Limiting binding ([[ratelimits]] in wrangler.toml) plus a var that states its
 * size ("limit/period"), because a binding cannot tell its own size and a 429 must say it.
 * The build checks that each var matches its binding (scripts/build/worker.ts).
 */
export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds: Cloudflare accepts 10 or 60. */
  period: 10 | 60;
}

export const RATE_LIMITS = {
  client: { binding: "CLIENT_RATE_LIMITER", rule: "CLIENT_RATE_LIMIT", what: "client address", fallback: { limit: 600, period: 60 } },
  token: { binding: "TOKEN_RATE_LIMITER", rule: "TOKEN_RATE_LIMIT", what: "token", fallback: { limit: 6000, period: 60 } },
} as const satisfies Record<string, { binding: string; rule: string; what: string; fallback: RateRule }>;

export type RateScope = keyof typeof RATE_LIMITS;

export const formatRule = (rule: RateRule): string => `${rule.limit}/${rule.period}`;

/** "600/60": 600 requests per 60 s. Unset gives the default; anything else malformed is refused, naming the setting. */
export function parseRule(text: string | undefined, setting: string, fallback: RateRule): RateRule {
  if (text === undefined) return fallback;
  const match = /^\s*(\d+)\s*\/\s*(10|60)\s*$/.exec(text);
  const limit = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(limit) || limit < 1) {
    throw new ApiError(500, "misconfigured", `${setting}=${JSON.stringify(text)} is not a rate limit: write requests/period, a positive whole number and 10 or 60 seconds (e.g. "600/60")`);
  }
  return { limit, period: Number(match[2]) as 10 | 60 };
}

/**
 * Seconds until the window that refused a request ends. Windows are aligned to the clock
 * (Miniflare's are; Cloudflare does not document its alignment, so there this is an estimate
 * that never exceeds the period).
 */
export function retryAfterSeconds(rule: RateRule, now: number): number {
  return rule.period - (Math.floor(now / 1000) % rule.period);
}
