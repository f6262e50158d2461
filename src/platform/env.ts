import type { D1Database, R2Bucket } from "@cloudflare/workers-types";
import type { RateLimiter } from "./rate-limit/limiter.ts";

/** The Worker's bindings (wrangler.toml) and secrets (.dev.vars locally, `wrangler secret put` when deployed). */
export interface Env {
  DB: D1Database;
  BUNDLES: R2Bucket;
  SANDBOX_POOL_SIZE?: string;
  /** Wasm memory (MiB) all sandboxes of an isolate may hold together. */
  SANDBOX_MEMORY_MB?: string;
  /** How long (ms) an isolate reuses a task's version lookup; changes made through the isolate are seen at once. */
  VERSION_CACHE_TTL_MS?: string;
  /** The bootstrap admin token; when set, every route but /health asks for `Authorization: Bearer <token>` (it or a token from D1). */
  RATCHET_API_TOKEN?: string;
  /**
   * "open": with no RATCHET_API_TOKEN, requests without a token act as the local admin (local
   * development: `ratchet serve`, `npm start`, tests). Anything else, unset included, with no
   * RATCHET_API_TOKEN: every route but /health answers 401. wrangler.toml leaves it unset.
   */
  RATCHET_ACCESS?: string;
  /** Egress the deployment opens (egress.ts): host, host:port, *.domain, IP or CIDR, comma-separated; unset opens nothing. */
  RATCHET_EGRESS_ALLOW?: string;
  /** AES-256-GCM key for task secrets: base64 of 32 random bytes (`openssl rand -base64 32`); unset, secrets cannot be put or read. */
  RATCHET_SECRETS_KEY?: string;
  /** Rate limits on execution routes and /mcp (rate-limit/rules.ts): Rate Limiting bindings, and their sizes as "limit/period". */
  CLIENT_RATE_LIMITER?: RateLimiter;
  TOKEN_RATE_LIMITER?: RateLimiter;
  CLIENT_RATE_LIMIT?: string;
  TOKEN_RATE_LIMIT?: string;
  /**
   * "isolate": the deployment counts the rate limits in its isolate on purpose (`ratchet serve`,
   * one isolate), so a missing binding is not worth a warning. Logging one cost the first request
   * ~10 ms under Miniflare (its first console line).
   */
  RATE_LIMIT_COUNTER?: string;
  /**
   * "after-response": a run answers before its record is written; every read of the history in
   * this isolate first waits for the records the isolate accepted (store/records-in-flight.ts).
   * Read-your-writes then holds only where one isolate serves every request for the database:
   * `ratchet serve`, which sets it. Unset (Cloudflare): a run answers once its record is in D1,
   * so any isolate reads it.
   */
  EXECUTION_RECORDS?: string;
}
