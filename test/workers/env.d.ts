import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../../src/platform/env.ts";
import type { RateLimiter } from "../../src/platform/rate-limit/limiter.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** A small Rate Limiting binding (vitest.config.ts) and its size, for test/workers/rate-limit.test.ts. */
      TEST_RATE_LIMITER: RateLimiter;
      TEST_RATE_LIMIT: string;
    }
  }
}
