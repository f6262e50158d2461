import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { readFile } from "node:fs/promises";
import { defineConfig, type Plugin } from "vitest/config";

// wrangler and Miniflare must not try to reach Cloudflare (no network here, no account needed).
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

/** Markdown imported as its text, as the builds' esbuild loader and wrangler's Text rule do (src/mcp/guide.ts). */
const markdownAsText: Plugin = {
  name: "markdown-as-text",
  transform(code, id) {
    return id.endsWith(".md") ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

/** Swagger UI's files imported as their text, as wrangler.toml's Text rule and the serve build's loader do (src/worker/docs/swagger-ui.ts). */
const SWAGGER_UI_TEXT = /swagger-ui-dist\/(swagger-ui-bundle\.js|swagger-ui\.css)$/;
const swaggerUiAsText: Plugin = {
  name: "swagger-ui-as-text",
  enforce: "pre",
  async load(id) {
    return SWAGGER_UI_TEXT.test(id) ? { code: `export default ${JSON.stringify(await readFile(id, "utf8"))};`, map: null } : undefined;
  },
};

/**
 * GraphiQL's app imported as its bytes (an ArrayBuffer), as wrangler.toml's Data rule and the serve
 * build do (src/graphql/graphiql.ts). Node tests only: 9 MB cannot cross the workers pool's WebSocket.
 */
const graphiqlAsData: Plugin = {
  name: "graphiql-as-data",
  enforce: "pre",
  load(id) {
    if (!/render-graphiql\/esm\/graphiql\.js$/.test(id)) return undefined;
    return { code: `import { readFileSync } from "node:fs"; export default new Uint8Array(readFileSync(${JSON.stringify(id)})).buffer;`, map: null };
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [markdownAsText, graphiqlAsData],
        test: {
          name: "node",
          // Through Vite, so graphiqlAsData applies to it (dependencies are otherwise loaded by Node as they are).
          server: { deps: { inline: [/@graphql-yoga\/render-graphiql/] } },
          include: ["test/unit/**/*.test.ts", "test/engine/**/*.test.ts", "test/e2e/**/*.test.ts", "test/mcp/**/*.test.ts", "test/ops/**/*.test.ts"],
          globalSetup: ["test/support/build-setup.ts", "test/support/upstream-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          markdownAsText,
          swaggerUiAsText,
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            // A deployed Worker opens no loopback address; the tests' upstream is on 127.0.0.1.
            // RATCHET_SECRETS_KEY: a key for these tests only (base64 of 32 bytes), as `wrangler secret put` sets one.
            miniflare: {
              bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations"), RATCHET_EGRESS_ALLOW: "127.0.0.1", RATCHET_ACCESS: "open", TEST_RATE_LIMIT: "3/60", RATCHET_SECRETS_KEY: "4bFcUcUYHucUlZZ8AruRbPZ/0YtKKy8/oTB8WLvIr9s=" },
              // A small limiter the rate-limit tests put in place of wrangler.toml's (which stay at their defaults here).
              ratelimits: { TEST_RATE_LIMITER: { namespace_id: "9001", simple: { limit: 3, period: 60 } } },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["test/workers/apply-migrations.ts"],
          globalSetup: ["test/support/upstream-setup.ts", "test/support/openapi-validator-setup.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
