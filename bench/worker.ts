/**
 * `npm run bench:worker`: throughput and latency of the real Worker bundle (what
 * `wrangler deploy` would upload) in workerd, driven through Miniflare's API with no
 * `wrangler dev` proxy in front. 10 closed-loop clients on 127.0.0.1 measure:
 *   1. POST /api/v1/run/addition against a no-sandbox Hono route (bench/workers/baseline.ts);
 *   2. POST /api/v1/run/{fetch task}, a task whose one fetch waits 50 ms on a local server,
 *      against the ideal 10 clients / 0.05 s = 200/s;
 * each with the default SANDBOX_POOL_SIZE from wrangler.toml and again with it overridden.
 * Every /run request records its execution in D1 (after the response, through waitUntil):
 * that is part of what is measured. Reference rows (GET /api/v1/health, and the pieces of
 * /run from bench/workers/breakdown.ts) show where the time goes.
 * Prints a table and a summary line, and writes bench/results/worker-miniflare.json. Not a
 * test: nothing here passes or fails. Runs in about 2 minutes.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const root = join(import.meta.dirname, "..");
const CLIENTS = 10;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const UPSTREAM_MS = 50;
const IDEAL_FETCH_PER_SECOND = CLIENTS / (UPSTREAM_MS / 1000);
const TARGET_TRIVIAL_RATIO = 0.6;
const TARGET_FETCH_RATIO = 0.75;
const OVERRIDE_POOL_SIZE = "12";
const FETCH_TASK = "bench-fetch";
// Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream build).
const CLOCK_TICKS_PER_SECOND = 100;

// A hung run must not hang CI or a README refresh. Miniflare's exit hook stops workerd.
const deadline = setTimeout(() => {
  console.error("bench:worker: gave up after 200 s");
  process.exit(1);
}, 200_000);
deadline.unref();

const toolEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

// ---------------------------------------------------------------------------------------------
// Building: the Worker exactly as deployed, and the two bench workers with esbuild.

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: toolEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output}`))));
  });
}

interface V4Module {
  type: "ESModule" | "CompiledWasm";
  path: string;
  contents?: Uint8Array<ArrayBuffer> | string;
}

/** `wrangler deploy --dry-run` output: index.js plus its wasm module(s), listed for Miniflare (which takes no modulesRules in v5). */
async function buildRatchet(outDir: string): Promise<V4Module[]> {
  await run(process.execPath, [join(root, "scripts/pack-tasks.ts")]);
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outDir]);
  const modules: V4Module[] = [{ type: "ESModule", path: join(outDir, "index.js") }];
  for (const name of await readdir(outDir)) {
    if (name.endsWith(".wasm") || name.endsWith("-wasm")) modules.push({ type: "CompiledWasm", path: join(outDir, name) });
    else if (!["index.js", "index.js.map", "README.md"].includes(name)) throw new Error(`unexpected file in the wrangler build: ${name}`);
  }
  return modules;
}

// The Worker's wasm import becomes a module next to the bundle, as wrangler's CompiledWasm rule does.
const QUICKJS_WASM = "quickjs.wasm";
const wasmAsModule: Plugin = {
  name: "quickjs-wasm-module",
  setup(b) {
    b.onResolve({ filter: /quickjs-wasmfile-release-asyncify\/wasm$/ }, () => ({ path: `./${QUICKJS_WASM}`, external: true }));
  },
};

async function bundleWorker(entry: string, outDir: string, name: string): Promise<V4Module[]> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    minify: false,
    write: false,
    plugins: [wasmAsModule],
    logLevel: "silent",
  });
  const script = result.outputFiles[0]!.text;
  const modules: V4Module[] = [{ type: "ESModule", path: join(outDir, name), contents: script }];
  if (script.includes(`./${QUICKJS_WASM}`)) {
    const wasm = await readFile(new URL(import.meta.resolve("@jitl/quickjs-wasmfile-release-asyncify/wasm")));
    modules.push({ type: "CompiledWasm", path: join(outDir, QUICKJS_WASM), contents: new Uint8Array(wasm) });
  }
  return modules;
}

// ---------------------------------------------------------------------------------------------
// Miniflare: one workerd process with the Worker and the bench workers, each on its own socket.

interface WranglerFacts {
  compatibilityDate: string;
  compatibilityFlags: string[];
  defaultPoolSize: string;
}

/** The few wrangler.toml values the bench needs, read rather than copied so they cannot drift. */
async function wranglerFacts(): Promise<WranglerFacts> {
  const toml = await readFile(join(root, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  const pool = /^SANDBOX_POOL_SIZE\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!date || !pool) throw new Error("wrangler.toml: compatibility_date or [vars] SANDBOX_POOL_SIZE not found");
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!), defaultPoolSize: pool };
}

interface Built {
  ratchet: V4Module[];
  baseline: V4Module[];
  breakdown: V4Module[];
  buildDir: string;
}

interface Instance {
  mf: Miniflare;
  ratchet: string;
  baseline: string;
  breakdown: string;
}

async function startMiniflare(built: Built, facts: WranglerFacts, poolSize: string, stateDir: string): Promise<Instance> {
  const common = {
    compatibilityDate: facts.compatibilityDate,
    compatibilityFlags: facts.compatibilityFlags,
    modulesRoot: built.buildDir,
    // A socket straight to each worker, skipping Miniflare's entry worker (one hop less, like production).
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  // The Worker and the breakdown worker share one D1 database and one R2 bucket (same ids).
  const storage = { bindings: { SANDBOX_POOL_SIZE: poolSize }, d1Databases: { DB: "ratchet-db" }, r2Buckets: { BUNDLES: "ratchet-bundles" } };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      resourcePersistencePath: stateDir,
      workers: [
        { name: "ratchet", modules: built.ratchet, ...common, ...storage },
        { name: "baseline", modules: built.baseline, ...common },
        { name: "breakdown", modules: built.breakdown, ...common, ...storage },
      ],
    }),
  );
  await mf.ready;
  const url = async (name: string) => (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, "");
  return { mf, ratchet: await url("ratchet"), baseline: await url("baseline"), breakdown: await url("breakdown") };
}

/** migrations/*.sql in order, statement by statement (D1's exec() cannot take multi-line statements). */
async function applyMigrations(mf: Miniflare): Promise<void> {
  const db = await mf.getD1Database("DB", "ratchet");
  const dir = join(root, "migrations");
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of (await readFile(join(dir, file), "utf8")).split("--> statement-breakpoint")) {
      if (statement.trim() !== "") await db.prepare(statement).run();
    }
  }
}

async function executionCount(mf: Miniflare, taskName: string): Promise<number> {
  const db = await mf.getD1Database("DB", "ratchet");
  const row = await db.prepare("select count(*) as n from executions where task_name = ?").bind(taskName).first<{ n: number }>();
  return row?.n ?? 0;
}

// ---------------------------------------------------------------------------------------------
// The upstream the fetch task calls: answers after 50 ms.

function startUpstream(): Promise<Server> {
  const server = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    }, UPSTREAM_MS);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The fetch task, as a bundle document (the shape PUT /api/v1/tasks/{name} takes). */
function fetchTaskDocument() {
  return {
    format: "ratchet.bundle/1",
    metadata: { uuid: "5b0e6c2a-3f7d-4b8e-9c1a-2d4e6f8a0b1c", version: "1.0.0", label: "Bench fetch", description: "one fetch of a slow local server", tags: ["bench"] },
    code: "(function(input) { var r = fetch(input.url); return { status: r.status, ok: r.body.ok }; })",
    input_schema: { type: "object", required: ["url"], properties: { url: { type: "string" } } },
    output_schema: { type: "object", required: ["status", "ok"], properties: { status: { type: "number" }, ok: { type: "boolean" } } },
    tests: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Load: closed loop, CLIENTS clients sending back-to-back requests with Node's fetch (undici,
// keep-alive by default), so throughput is what the server sustains at that concurrency.

interface Target {
  method: "GET" | "POST";
  url: string;
  body?: string;
}

interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  /** First few distinct failures, to see what went wrong without flooding the output. */
  errorSamples: string[];
  seconds: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** workerd's CPU time (all threads) per successful request, from /proc. */
  workerdCpuMsPerRequest?: number;
  /** workerd's CPU use over the window: 1 = one core busy all the time. */
  workerdCores?: number;
  /** This Node process (load generator, and upstream server in the fetch runs). */
  clientCores: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** CPU ticks of every workerd process under this one (Miniflare spawns workerd as a child). */
async function workerdTicks(): Promise<number | undefined> {
  try {
    const procs = new Map<number, { ppid: number; comm: string; ticks: number }>();
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
      const close = stat.lastIndexOf(")");
      if (close < 0) continue;
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" "); // fields[0] is field 3 (state)
      procs.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    }
    const descends = (pid: number): boolean => {
      for (let p = procs.get(pid)?.ppid; p !== undefined && p > 1; p = procs.get(p)?.ppid) if (p === process.pid) return true;
      return false;
    };
    let ticks = 0;
    let found = false;
    for (const [pid, p] of procs) {
      if (p.comm.startsWith("workerd") && descends(pid)) {
        ticks += p.ticks;
        found = true;
      }
    }
    return found ? ticks : undefined;
  } catch {
    return undefined; // no /proc (not Linux): the column stays empty
  }
}

async function closedLoop(target: Target, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let requests = 0;
  let errors = 0;
  const init: RequestInit = { method: target.method, headers: target.body ? { "content-type": "application/json" } : {}, body: target.body };
  const ticks0 = await workerdTicks();
  const cpu0 = process.cpuUsage();
  const began = performance.now();
  const client = async () => {
    while (performance.now() - began < durationMs) {
      const t0 = performance.now();
      requests += 1;
      try {
        const response = await fetch(target.url, init);
        const text = await response.text(); // read to the end, so the connection is reused
        if (response.ok) latencies.push(performance.now() - t0);
        else {
          errors += 1;
          if (errorSamples.size < 3) errorSamples.add(`${response.status} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        errors += 1;
        if (errorSamples.size < 3) errorSamples.add(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ticks1 = await workerdTicks();
  const sorted = latencies.sort((a, b) => a - b);
  const workerdCpuMs = ticks0 !== undefined && ticks1 !== undefined ? ((ticks1 - ticks0) / CLOCK_TICKS_PER_SECOND) * 1000 : undefined;
  return {
    requests,
    ok: latencies.length,
    errors,
    errorSamples: [...errorSamples],
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    workerdCpuMsPerRequest: workerdCpuMs === undefined || latencies.length === 0 ? undefined : workerdCpuMs / latencies.length,
    workerdCores: workerdCpuMs === undefined ? undefined : workerdCpuMs / 1000 / seconds,
    clientCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

interface Measurement extends LoadResult {
  scenario: string;
  poolSize?: string;
  /** For routes that record executions: rows written for the requests that succeeded, and how long after the window the last one landed. */
  recorded?: { expected: number; found: number; drainMs: number };
}

/** Warm-up, then the measured window; for recording routes, waits for the waitUntil writes to land and counts them. */
async function measure(scenario: string, target: Target, opts: { poolSize?: string; mf?: Miniflare; recordsAs?: string } = {}): Promise<Measurement> {
  process.stdout.write(`  ${scenario}${opts.poolSize ? ` (pool ${opts.poolSize})` : ""} ... `);
  const before = opts.mf && opts.recordsAs ? await executionCount(opts.mf, opts.recordsAs) : 0;
  const warm = await closedLoop(target, WARMUP_MS);
  const result = await closedLoop(target, MEASURE_MS);
  let recorded: Measurement["recorded"];
  if (opts.mf && opts.recordsAs) {
    const expected = warm.ok + result.ok;
    const t0 = performance.now();
    let found = (await executionCount(opts.mf, opts.recordsAs)) - before;
    while (found < expected && performance.now() - t0 < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      found = (await executionCount(opts.mf, opts.recordsAs)) - before;
    }
    recorded = { expected, found, drainMs: performance.now() - t0 };
  }
  console.log(`${result.rps.toFixed(0)} rps${result.errors ? `, ${result.errors} errors` : ""}`);
  return { scenario, poolSize: opts.poolSize, ...result, recorded };
}

// ---------------------------------------------------------------------------------------------

/** One request, answer checked: the benchmark must measure the route working, not failing fast. */
async function expectJson(label: string, url: string, init: RequestInit, check: (body: any) => boolean): Promise<void> {
  const response = await fetch(url, { ...init, headers: { "content-type": "application/json" } });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok || !check(body)) throw new Error(`${label}: unexpected answer ${response.status} ${text.slice(0, 500)}`);
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

const ADDITION_BODY = JSON.stringify({ num1: 1, num2: 2 });

/** Every scenario for one SANDBOX_POOL_SIZE, on a fresh Miniflare (fresh isolates, so the Worker's engine reads the new size). */
async function runRow(built: Built, facts: WranglerFacts, poolSize: string, upstreamUrl: string, withReferences: boolean): Promise<Measurement[]> {
  const stateDir = await mkdtemp(join(os.tmpdir(), "ratchet-bench-state-"));
  let instance: Instance | undefined;
  try {
    instance = await startMiniflare(built, facts, poolSize, stateDir);
    const { mf, ratchet, baseline, breakdown } = instance;
    await applyMigrations(mf);

    // Deploy the fetch task through the real API, then check each route answers as it should.
    const post = { method: "POST", body: ADDITION_BODY };
    await expectJson("deploy fetch task", `${ratchet}/api/v1/tasks/${FETCH_TASK}`, { method: "PUT", body: JSON.stringify(fetchTaskDocument()) }, (b) => b.outcome === "created");
    await expectJson("run addition", `${ratchet}/api/v1/run/addition`, post, (b) => b.sum === 3);
    await expectJson("run fetch task", `${ratchet}/api/v1/run/${FETCH_TASK}`, { method: "POST", body: JSON.stringify({ url: upstreamUrl }) }, (b) => b.status === 200 && b.ok === true);
    await expectJson("baseline", `${baseline}/run`, post, (b) => b.sum === 3);

    const rows: Measurement[] = [];
    rows.push(await measure("baseline: Hono, no sandbox", { method: "POST", url: `${baseline}/run`, body: ADDITION_BODY }, { poolSize }));
    rows.push(await measure("POST /api/v1/run/addition", { method: "POST", url: `${ratchet}/api/v1/run/addition`, body: ADDITION_BODY }, { poolSize, mf, recordsAs: "addition" }));
    rows.push(
      await measure(`POST /api/v1/run/${FETCH_TASK} (50 ms upstream)`, { method: "POST", url: `${ratchet}/api/v1/run/${FETCH_TASK}`, body: JSON.stringify({ url: upstreamUrl }) }, { poolSize, mf, recordsAs: FETCH_TASK }),
    );
    if (withReferences) {
      await expectJson("breakdown sandbox", `${breakdown}/sandbox`, post, (b) => b.sum === 3);
      rows.push(await measure("ref: GET /api/v1/health (Hono + D1 read + R2 head)", { method: "GET", url: `${ratchet}/api/v1/health` }, { poolSize }));
      rows.push(await measure("ref: Hono + sandbox (Engine.execute, no D1)", { method: "POST", url: `${breakdown}/sandbox`, body: ADDITION_BODY }, { poolSize }));
      rows.push(await measure("ref: Hono + D1 insert (recordExecution, no sandbox)", { method: "POST", url: `${breakdown}/record`, body: ADDITION_BODY }, { poolSize, mf, recordsAs: "bench-breakdown" }));
      rows.push(
        await measure("ref: Hono + sandbox + D1 insert (no lookup)", { method: "POST", url: `${breakdown}/sandbox-record`, body: ADDITION_BODY }, { poolSize, mf, recordsAs: "bench-breakdown" }),
      );
    }
    return rows;
  } finally {
    await instance?.mf.dispose();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined || Number.isNaN(x) ? "-" : x.toFixed(digits);
}

function printTable(rows: Measurement[], baselineRps: Map<string | undefined, number>): void {
  const header = ["scenario", "pool", "rps", "ratio", "p50 ms", "p95 ms", "p99 ms", "errors", "workerd CPU ms/req", "workerd cores", "client cores", "recorded (drain)"];
  const lines = rows.map((m) => {
    const ratio = m.scenario.includes(FETCH_TASK) ? m.rps / IDEAL_FETCH_PER_SECOND : m.rps / (baselineRps.get(m.poolSize) ?? NaN);
    return [
      m.scenario,
      m.poolSize ?? "-",
      fmt(m.rps, 0),
      m.scenario.startsWith("baseline") ? "1" : fmt(ratio, 2),
      fmt(m.p50Ms, 2),
      fmt(m.p95Ms, 2),
      fmt(m.p99Ms, 2),
      String(m.errors),
      fmt(m.workerdCpuMsPerRequest, 2),
      fmt(m.workerdCores, 2),
      fmt(m.clientCores, 2),
      m.recorded ? `${m.recorded.found}/${m.recorded.expected} (${m.recorded.drainMs.toFixed(0)} ms)` : "-",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")}`;
  console.log(line(header));
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const l of lines) console.log(line(l));
  for (const m of rows) for (const sample of m.errorSamples) console.log(`  error sample (${m.scenario}, pool ${m.poolSize}): ${sample}`);
}

/** Keeps the JSON readable: no 15-digit floats. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? Number(value.toFixed(3)) : value;
}

async function main(): Promise<void> {
  const facts = await wranglerFacts();
  const cpus = os.cpus();
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? "unknown",
    cpuCount: cpus.length,
    // Other work on the machine skews every figure; a load near cpuCount means noisy numbers.
    loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
    totalMemoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    workerd: await packageVersion("workerd"),
    miniflare: await packageVersion("miniflare"),
    wrangler: await packageVersion("wrangler"),
    hono: await packageVersion("hono"),
    compatibilityDate: facts.compatibilityDate,
    compatibilityFlags: facts.compatibilityFlags.join(","),
    clients: CLIENTS,
    warmupSeconds: WARMUP_MS / 1000,
    measureSeconds: MEASURE_MS / 1000,
    loadGenerator: "Node fetch (undici), keep-alive, closed loop; only 2xx count",
  };
  console.log("Ratchet Worker benchmark (workerd through Miniflare's API, no wrangler dev proxy)");
  for (const [k, v] of Object.entries(environment)) console.log(`  ${k.padEnd(20)} ${v}`);
  console.log();

  const buildDir = await mkdtemp(join(os.tmpdir(), "ratchet-bench-build-"));
  let upstream: Server | undefined;
  try {
    const t0 = performance.now();
    const built: Built = {
      ratchet: await buildRatchet(buildDir),
      baseline: await bundleWorker("bench/workers/baseline.ts", buildDir, "baseline.js"),
      breakdown: await bundleWorker("bench/workers/breakdown.ts", buildDir, "breakdown.js"),
      buildDir,
    };
    console.log(`built the Worker (wrangler deploy --dry-run) and the bench workers (esbuild) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    upstream = await startUpstream();
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    console.log(`upstream: ${upstreamUrl} answers after ${UPSTREAM_MS} ms (ideal for ${CLIENTS} clients: ${IDEAL_FETCH_PER_SECOND}/s)`);
    console.log("every /run request records an execution in D1 (Miniflare's local SQLite) after its response, through waitUntil: that is measured too\n");

    const rows: Measurement[] = [];
    console.log(`SANDBOX_POOL_SIZE = "${facts.defaultPoolSize}" (wrangler.toml default)`);
    rows.push(...(await runRow(built, facts, facts.defaultPoolSize, upstreamUrl, true)));
    console.log(`SANDBOX_POOL_SIZE = "${OVERRIDE_POOL_SIZE}" (binding override)`);
    rows.push(...(await runRow(built, facts, OVERRIDE_POOL_SIZE, upstreamUrl, false)));
    console.log();

    const baselineRps = new Map(rows.filter((m) => m.scenario.startsWith("baseline")).map((m) => [m.poolSize, m.rps]));
    printTable(rows, baselineRps);
    console.log();

    const pick = (pool: string, part: string) => rows.find((m) => m.poolSize === pool && m.scenario.includes(part))!;
    const figures = [facts.defaultPoolSize, OVERRIDE_POOL_SIZE].map((pool) => {
      const base = pick(pool, "baseline");
      const trivial = pick(pool, "/run/addition");
      const fetchRun = pick(pool, FETCH_TASK);
      return {
        poolSize: pool,
        baselineRps: base.rps,
        trivialRps: trivial.rps,
        trivialRatio: trivial.rps / base.rps,
        trivialP50Ms: trivial.p50Ms,
        trivialP95Ms: trivial.p95Ms,
        fetchPerSecond: fetchRun.rps,
        fetchRatio: fetchRun.rps / IDEAL_FETCH_PER_SECOND,
        fetchP50Ms: fetchRun.p50Ms,
        fetchP95Ms: fetchRun.p95Ms,
      };
    });
    const line = (f: (typeof figures)[number]) =>
      `worker /run trivial: ${f.trivialRps.toFixed(0)} rps vs no-sandbox Hono ${f.baselineRps.toFixed(0)} rps (ratio ${f.trivialRatio.toFixed(2)}, target ${TARGET_TRIVIAL_RATIO}); ` +
      `fetch task ${CLIENTS} clients x ${UPSTREAM_MS} ms: ${f.fetchPerSecond.toFixed(0)}/s (ratio ${f.fetchRatio.toFixed(2)} of ideal ${IDEAL_FETCH_PER_SECOND}/s, target ${TARGET_FETCH_RATIO})`;
    const summary = `${line(figures[0]!)} [SANDBOX_POOL_SIZE ${figures[0]!.poolSize}; D1 recording included]`;
    console.log(summary);
    console.log(`  with SANDBOX_POOL_SIZE ${figures[1]!.poolSize}: ${line(figures[1]!)}`);

    const results = {
      environment,
      notes: [
        "Every /run request records an execution in D1 after its response (waitUntil); 'recorded' counts the rows that landed for warm-up + measured successes, and drainMs how long after the window the last one did.",
        "Ratios: /run/addition and ref rows against the baseline of the same pool row; the fetch task against the ideal clients / upstream delay.",
        "workerd CPU from /proc (all workerd threads, including D1/R2 simulation), per successful request.",
      ],
      targets: { trivialRatio: TARGET_TRIVIAL_RATIO, fetchRatio: TARGET_FETCH_RATIO, idealFetchPerSecond: IDEAL_FETCH_PER_SECOND, upstreamMs: UPSTREAM_MS },
      figures,
      measurements: rows,
      summary,
    };
    const outDir = join(root, "bench/results");
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, "worker-miniflare.json"), `${JSON.stringify(results, roundNumbers, 2)}\n`);
    console.log("\nwrote bench/results/worker-miniflare.json");
  } finally {
    upstream?.closeAllConnections();
    upstream?.close();
    await rm(buildDir, { recursive: true, force: true });
  }
}

await main();
