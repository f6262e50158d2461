import { build, type Plugin } from "esbuild";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAtomic } from "./write-atomic.ts";
import type { ServeWorkerManifest } from "../../src/serve/worker-manifest.ts";
import { formatRule, RATE_LIMITS, type RateRule } from "../../src/platform/rate-limit/rules.ts";

const QUICKJS_BUILDS = ["sync", "asyncify"] as const;
const wasmFile = (quickjsBuild: string) => `quickjs-${quickjsBuild}.wasm`;
/** GraphiQL's app (src/graphql/graphiql.ts): a Data module beside the bundle, as wrangler.toml's Data rule makes it. */
const GRAPHIQL = { specifier: "@graphql-yoga/render-graphiql/graphiql", file: "graphiql-app.data" };

/**
 * The Worker for `ratchet serve`: src/worker/index.ts bundled with the options wrangler uses
 * (wrangler.toml's settings, read through wrangler's own config reader), with two differences
 * that wrangler's build cannot express: the QuickJS wasm becomes CompiledWasm modules beside the
 * bundle (as wrangler's [[rules]] make it), and the packed sample tasks are left out, because
 * serve deploys the user's tasks folder through the API instead.
 */
const plugin: Plugin = {
  name: "ratchet-serve-worker",
  setup(b) {
    b.onResolve({ filter: /quickjs-wasmfile-release-(sync|asyncify)\/wasm$/ }, (args) => ({
      path: `./${wasmFile(/release-(sync|asyncify)/.exec(args.path)![1]!)}`,
      external: true,
    }));
    b.onResolve({ filter: /^@graphql-yoga\/render-graphiql\/graphiql$/ }, () => ({ path: `./${GRAPHIQL.file}`, external: true }));
    b.onResolve({ filter: /\/generated\/tasks\.json$/ }, () => ({ path: "no-bundled-tasks", namespace: "ratchet-serve" }));
    b.onLoad({ filter: /.*/, namespace: "ratchet-serve" }, () => ({ contents: "[]", loader: "json" }));
    // Swagger UI's script and stylesheet (served by /docs) as their text, as wrangler.toml's Text rule makes them.
    b.onLoad({ filter: /swagger-ui-dist[\\/](swagger-ui-bundle\.js|swagger-ui\.css)$/ }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "text" }));
  },
};

/**
 * A Rate Limiting binding cannot report its size, so wrangler.toml states it again as a var for
 * the 429's message and Retry-After (src/platform/rate-limit/rules.ts): the two must agree.
 */
function checkRateLimitVars(declared: { name: string; simple: RateRule }[], vars: Record<string, unknown>): void {
  for (const spec of Object.values(RATE_LIMITS)) {
    const binding = declared.find((limit) => limit.name === spec.binding);
    if (!binding) continue;
    const expected = formatRule(binding.simple);
    if (vars[spec.rule] !== expected) {
      throw new Error(`wrangler.toml: [[ratelimits]] ${spec.binding} allows ${binding.simple.limit} per ${binding.simple.period} s, so [vars] needs ${spec.rule} = "${expected}" (it is ${JSON.stringify(vars[spec.rule] ?? null)})`);
    }
  }
}

export async function buildServeWorker(root: string): Promise<string> {
  process.env.WRANGLER_SEND_METRICS ??= "false";
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  const d1 = config.d1_databases[0];
  const r2 = config.r2_buckets[0];
  if (!d1 || !r2) throw new Error("wrangler.toml: the Worker needs one [[d1_databases]] and one [[r2_buckets]] binding");
  const outDir = join(root, "dist/worker");

  const result = await build({
    entryPoints: [config.main ?? join(root, "src/worker/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2024",
    keepNames: config.keep_names ?? true,
    // workerd's built-in modules, as wrangler leaves them.
    external: ["cloudflare:*", "workerd:*"],
    define: { "navigator.userAgent": '"Cloudflare-Workers"', "process.env.NODE_ENV": '"production"' },
    plugins: [plugin],
    // The task guide (src/mcp/guide.ts) is imported as text, as wrangler's Text rule does.
    loader: { ".md": "text" },
    write: false,
    logLevel: "warning",
  });
  const script = result.outputFiles[0]!.text;
  const modules: ServeWorkerManifest["modules"] = [{ type: "ESModule", path: "index.js" }];
  await writeAtomic(join(outDir, "index.js"), script);
  for (const quickjsBuild of QUICKJS_BUILDS) {
    if (!script.includes(`./${wasmFile(quickjsBuild)}`)) continue;
    await writeAtomic(join(outDir, wasmFile(quickjsBuild)), await readFile(new URL(import.meta.resolve(`@jitl/quickjs-wasmfile-release-${quickjsBuild}/wasm`))));
    modules.push({ type: "CompiledWasm", path: wasmFile(quickjsBuild) });
  }
  if (script.includes(`./${GRAPHIQL.file}`)) {
    await writeAtomic(join(outDir, GRAPHIQL.file), await readFile(new URL(import.meta.resolve(GRAPHIQL.specifier))));
    modules.push({ type: "Data", path: GRAPHIQL.file });
  }

  const migrationsDir = join(root, d1.migrations_dir ?? "migrations");
  const migrations = (await readdir(migrationsDir)).filter((name) => name.endsWith(".sql")).sort();
  for (const name of migrations) await writeAtomic(join(outDir, "migrations", name), await readFile(join(migrationsDir, name)));

  const rateLimits: ServeWorkerManifest["rateLimits"] = config.ratelimits ?? [];
  checkRateLimitVars(rateLimits, config.vars ?? {});
  const manifest: ServeWorkerManifest = {
    modules,
    compatibilityDate: config.compatibility_date ?? "2026-08-01",
    compatibilityFlags: config.compatibility_flags ?? [],
    vars: Object.fromEntries(Object.entries(config.vars ?? {}).map(([key, value]) => [key, String(value)])),
    d1: { binding: d1.binding, databaseId: d1.database_id ?? d1.database_name ?? d1.binding },
    r2: { binding: r2.binding, bucketName: r2.bucket_name ?? r2.binding },
    crons: config.triggers?.crons ?? [],
    rateLimits: rateLimits.map(({ name, namespace_id, simple }) => ({ name, namespace_id, simple: { limit: simple.limit, period: simple.period } })),
    migrations,
  };
  await writeAtomic(join(outDir, "worker.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return outDir;
}
