import { UsageError } from "../ops/errors.ts";
import { formatRule, RATE_LIMITS, type RateRule, type RateScope } from "../platform/rate-limit/rules.ts";
import type { ServeWorkerManifest } from "./worker-manifest.ts";

/** Environment variables that replace a limit for `ratchet serve` (a load test raises them): requests per 60 s. */
export const RATE_LIMIT_ENV: Record<RateScope, string> = { client: "RATCHET_RATE_LIMIT_CLIENT", token: "RATCHET_RATE_LIMIT_TOKEN" };

export interface ServeRateLimits {
  /** Miniflare's `ratelimits` option: wrangler.toml's bindings, with any override applied. */
  bindings: Record<string, { namespace_id: string; simple: RateRule }>;
  /** The size vars the Worker's 429 quotes, kept equal to the bindings. */
  vars: Record<string, string>;
  /** One line for the start-up output. */
  notice: string;
}

function override(name: string, value: string | undefined): RateRule | undefined {
  if (value === undefined || value === "") return undefined;
  const limit = Number(value);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`${name}=${value} is not a rate limit: give the requests allowed per 60 s as a positive whole number`);
  return { limit, period: 60 };
}

/** wrangler.toml's rate limits for the local Worker, each replaced by its RATCHET_RATE_LIMIT_* variable when set. */
export function serveRateLimits(manifest: Pick<ServeWorkerManifest, "rateLimits">, env: NodeJS.ProcessEnv = process.env): ServeRateLimits {
  const bindings: ServeRateLimits["bindings"] = {};
  const vars: Record<string, string> = {};
  const described: string[] = [];
  for (const scope of Object.keys(RATE_LIMITS) as RateScope[]) {
    const spec = RATE_LIMITS[scope];
    const declared = manifest.rateLimits.find((limit) => limit.name === spec.binding);
    const rule = override(RATE_LIMIT_ENV[scope], env[RATE_LIMIT_ENV[scope]]) ?? declared?.simple;
    if (!declared || !rule) {
      described.push(`no ${spec.what} limit in wrangler.toml`);
      continue;
    }
    bindings[spec.binding] = { namespace_id: declared.namespace_id, simple: rule };
    vars[spec.rule] = formatRule(rule);
    described.push(`${rule.limit} per ${rule.period} s per ${spec.what}`);
  }
  const names = Object.values(RATE_LIMIT_ENV).join(" / ");
  return { bindings, vars, notice: `Ratchet: rate limits on runs and /mcp: ${described.join(", ")} (${names} set them per 60 s)` };
}
