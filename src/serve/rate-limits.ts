import { UsageError } from "../ops/errors.ts";
import { formatRule, RATE_LIMITS, type RateRule, type RateScope } from "../platform/rate-limit/rules.ts";
import type { ServeWorkerManifest } from "./worker-manifest.ts";

/** Environment variables that replace a limit for `ratchet serve` (a load test raises them): requests per 60 s. */
export const RATE_LIMIT_ENV: Record<RateScope, string> = { client: "RATCHET_RATE_LIMIT_CLIENT", token: "RATCHET_RATE_LIMIT_TOKEN" };

/**
 * The local Worker gets no Rate Limiting binding: workerd runs it in one isolate, so the Worker's
 * own in-isolate counter (platform/rate-limit/select.ts) counts every request exactly, where
 * Miniflare's binding is a Durable Object that cost ~0.75 ms of workerd CPU per run (two fifths of a
 * trivial /run, on the thread that serves every request: bench:worker's reference row).
 */
export interface ServeRateLimits {
  /** The size vars the Worker counts against and its 429 quotes (wrangler.toml's bindings' sizes, with any override applied), and RATE_LIMIT_COUNTER. */
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
    vars[spec.rule] = formatRule(rule);
    described.push(`${rule.limit} per ${rule.period} s per ${spec.what}`);
  }
  const names = Object.values(RATE_LIMIT_ENV).join(" / ");
  vars.RATE_LIMIT_COUNTER = "isolate";
  return { vars, notice: `Ratchet: rate limits on runs, /mcp and /graphql: ${described.join(", ")}, counted by the Worker (${names} set them per 60 s)` };
}
