/**
 * What bench:worker and bench/profile-worker.ts share: the Worker built exactly as
 * `wrangler deploy` would upload it (its modules typed by wrangler.toml's [[rules]]), the few
 * wrangler.toml facts they need, and the migrations applied to a Miniflare D1.
 */
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, matchesGlob } from "node:path";
import type { D1Database } from "@cloudflare/workers-types";
import type { Miniflare } from "miniflare";
import { applyMigrations as applyServeMigrations } from "../src/serve/migrations.ts";
import { RATE_LIMIT_ENV, serveRateLimits } from "../src/serve/rate-limits.ts";
import type { ServeWorkerManifest } from "../src/serve/worker-manifest.ts";
import { ONE_ISOLATE_VARS } from "../src/serve/start-worker.ts";

export const root = join(import.meta.dirname, "..");

export const toolEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: toolEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output}`))));
  });
}

export interface V4Module {
  type: "ESModule" | "CompiledWasm" | "Text" | "Data";
  path: string;
  contents?: Uint8Array<ArrayBuffer> | string;
}

/** wrangler names each module it copies beside the bundle `<sha1>-<basename>`. */
const WRANGLER_MODULE_NAME = /^[0-9a-f]{40}-(.+)$/;

/**
 * `wrangler deploy --dry-run` output: index.js plus the modules wrangler.toml's [[rules]] made
 * (QuickJS wasm, the task guide, Swagger UI's text, GraphiQL's data), listed for Miniflare with the
 * type of the rule whose glob's last segment matches the copied file's basename (Miniflare takes no
 * modulesRules for a module list). wrangler.toml's ratelimits come back too, read by wrangler.
 */
export async function buildRatchet(outDir: string): Promise<{ modules: V4Module[]; config: WorkerConfig }> {
  await run(process.execPath, [join(root, "scripts/pack-tasks.ts")]);
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outDir]);
  const config = await workerConfig();
  const modules: V4Module[] = [{ type: "ESModule", path: join(outDir, "index.js") }];
  for (const name of await readdir(outDir)) {
    if (["index.js", "index.js.map", "README.md"].includes(name)) continue;
    const basename = WRANGLER_MODULE_NAME.exec(name)?.[1];
    const rule = basename && config.rules.find((r) => r.globs.some((glob) => matchesGlob(basename, glob.split("/").at(-1)!)));
    if (!rule) throw new Error(`unexpected file in the wrangler build: ${name} (no [[rules]] entry in wrangler.toml matches it)`);
    modules.push({ type: rule.type, path: join(outDir, name) });
  }
  return { modules, config };
}

export interface WorkerConfig {
  rules: { type: "CompiledWasm" | "Text" | "Data"; globs: string[] }[];
  vars: Record<string, string>;
  rateLimits: ServeWorkerManifest["rateLimits"];
}

/** wrangler.toml through wrangler's own reader, as scripts/build/worker.ts reads it for `ratchet serve`. */
export async function workerConfig(): Promise<WorkerConfig> {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  const known = (type: string): type is WorkerConfig["rules"][number]["type"] => ["CompiledWasm", "Text", "Data"].includes(type);
  const rules = (config.rules as { type: string; globs: string[] }[]).map(({ type, globs }) => {
    if (!known(type)) throw new Error(`wrangler.toml: the bench does not know module rule type ${type}`);
    return { type, globs };
  });
  return {
    rules,
    vars: Object.fromEntries(Object.entries(config.vars ?? {}).map(([key, value]) => [key, String(value)])),
    rateLimits: ((config.ratelimits ?? []) as ServeWorkerManifest["rateLimits"]).map(({ name, namespace_id, simple }) => ({ name, namespace_id, simple: { limit: simple.limit, period: simple.period } })),
  };
}

export interface WranglerFacts {
  compatibilityDate: string;
  compatibilityFlags: string[];
  defaultPoolSize: string;
  defaultMemoryMb: string;
}

/** The few wrangler.toml values the bench needs, read rather than copied so they cannot drift. */
export async function wranglerFacts(): Promise<WranglerFacts> {
  const toml = await readFile(join(root, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  const pool = /^SANDBOX_POOL_SIZE\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const memory = /^SANDBOX_MEMORY_MB\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!date || !pool || !memory) throw new Error("wrangler.toml: compatibility_date or [vars] SANDBOX_POOL_SIZE / SANDBOX_MEMORY_MB not found");
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!), defaultPoolSize: pool, defaultMemoryMb: memory };
}

/**
 * migrations/*.sql not yet applied, as `ratchet serve` applies them on every start (its own
 * code, src/serve/migrations.ts): on a database that has them all, it only reads which it has.
 */
export async function applyMigrations(mf: Miniflare): Promise<void> {
  const dir = join(root, "migrations");
  const names = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  await applyServeMigrations((await mf.getD1Database("DB", "ratchet")) as unknown as D1Database, dir, names);
}


/**
 * Requests per 60 s per client address and per token for the bench, through the variables
 * `ratchet serve` reads (src/serve/rate-limits.ts): far above what the load reaches, so nothing is
 * refused while every run still passes the rate-limit middleware.
 */
export const BENCH_RATE_LIMIT = "100000000";
export const benchRateLimits = (config: WorkerConfig) =>
  serveRateLimits(config, { [RATE_LIMIT_ENV.client]: BENCH_RATE_LIMIT, [RATE_LIMIT_ENV.token]: BENCH_RATE_LIMIT });

/**
 * The Worker's bindings as `ratchet serve` gives them without a token (open access, rate limits
 * counted in the isolate and raised so nothing is refused), with the sandbox sizes to measure and
 * loopback opened to the tasks' fetches (the benches' upstream is on 127.0.0.1).
 */
export function servedBindings(config: WorkerConfig, options: { poolSize: string; memoryMb: string; secretsKey: string }): Record<string, string> {
  return {
    ...config.vars,
    ...benchRateLimits(config).vars,
    ...ONE_ISOLATE_VARS,
    SANDBOX_POOL_SIZE: options.poolSize,
    SANDBOX_MEMORY_MB: options.memoryMb,
    RATCHET_EGRESS_ALLOW: "127.0.0.1",
    RATCHET_SECRETS_KEY: options.secretsKey,
    // The open local setup (`ratchet serve` without a token): no token to check on each request.
    RATCHET_ACCESS: "open",
  };
}
