import { applyD1Migrations, env } from "cloudflare:test";

// The real migrations, applied to the test's local D1 the way wrangler applies them.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
