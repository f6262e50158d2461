import type { D1Database, R2Bucket } from "@cloudflare/workers-types";

/** The Worker's bindings (wrangler.toml) and secrets (.dev.vars locally, `wrangler secret put` when deployed). */
export interface Env {
  DB: D1Database;
  BUNDLES: R2Bucket;
  SANDBOX_POOL_SIZE?: string;
  /** Wasm memory (MiB) all sandboxes of an isolate may hold together. */
  SANDBOX_MEMORY_MB?: string;
  /** How long (ms) an isolate reuses a task's version lookup; changes made through the isolate are seen at once. */
  VERSION_CACHE_TTL_MS?: string;
  /** When set, every route but /health asks for `Authorization: Bearer <token>`. */
  RATCHET_API_TOKEN?: string;
  /** Egress the deployment opens (egress.ts): host, host:port, *.domain, IP or CIDR, comma-separated; unset opens nothing. */
  RATCHET_EGRESS_ALLOW?: string;
}
