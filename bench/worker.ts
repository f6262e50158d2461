/**
 * `npm run bench:worker`: throughput and latency of the real Worker bundle (what
 * `wrangler deploy` would upload) in workerd, driven through Miniflare's API with no
 * `wrangler dev` proxy in front. 10 closed-loop clients on 127.0.0.1 measure:
 *   1. POST /api/v1/run/addition against a no-sandbox Hono route (bench/workers/baseline.ts),
 *      in alternating rounds; the ratio is the median round's;
 *   2. POST /api/v1/run/{fetch task}, a task whose one fetch waits 50 ms on a local server,
 *      against the ideal 10 clients / 0.05 s = 200/s;
 * each with the default SANDBOX_POOL_SIZE and SANDBOX_MEMORY_MB from wrangler.toml (what a
 * production isolate's 128 MB allows) and again with both raised (what the pool gives where
 * memory is not the bound, as on a developer's machine).
 * Every /run request records its execution in D1 as `ratchet serve` has it: the response goes
 * first and the record follows in a shared batch (EXECUTION_RECORDS=after-response), every read
 * through the Worker waiting for the records it accepted. That is measured too, and right after
 * each window one read through the Worker, then D1 itself, must find every answered id
 * (read-your-writes). A reference pass answers once the record is in D1, as a deployed Worker does. Rows written per execution are D1's own count (rows_written, which it
 * bills), read from the Worker's /metrics. Reference rows (GET /api/v1/health, and the pieces
 * of /run from bench/workers/breakdown.ts) show where the time goes.
 * 3. the first request on a fresh isolate: workerd restarted on a database that already holds
 *    the tasks, then one POST /run/addition, several times; the isolate's start is its own figure,
 *    and isolates whose first request is a 404 split it into phases; the Worker's load (which
 *    workerd does before it listens, so no request shows it) is measured as workerd CPU.
 * The Worker runs as `ratchet serve` runs it without a token: RATCHET_ACCESS=open, and the rate
 * limits counted in its isolate (serve passes no Rate Limiting binding), raised so that nothing is refused.
 * D1 and R2 live in tmpfs (see MEMORY_STATE_ROOT); reference passes keep them on disk, and count
 * the rate limits through Miniflare's Rate Limiting binding instead.
 * Prints a table and a summary line, and writes bench/results/worker-miniflare.json. Not a
 * test: nothing here passes or fails. Runs in about 6 minutes.
 */
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { build, type Plugin } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fetchTaskDocument } from "./fetch-task.ts";
import { percentile, startSlowUpstream, type Upstream } from "./support.ts";
import { CLOCK_TICKS_PER_SECOND, sampleProc } from "./workerd-proc.ts";
import { applyMigrations, BENCH_RATE_LIMIT, benchRateLimits, buildRatchet, root, servedBindings, wranglerFacts, type V4Module, type WorkerConfig, type WranglerFacts } from "./worker-build.ts";

const CLIENTS = 10;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
// The trivial ratio compares two runs a few seconds apart on a busy 2-core machine; taking
// the median of several alternating pairs keeps one disturbed run from deciding it.
const RATIO_ROUNDS = 5;
const ROUND_WARMUP_MS = 1_000;
const ROUND_MEASURE_MS = 4_000;
const UPSTREAM_MS = 50;
const IDEAL_FETCH_PER_SECOND = CLIENTS / (UPSTREAM_MS / 1000);
const TARGET_TRIVIAL_RATIO = 0.6;
const TARGET_FETCH_RATIO = 0.9;
const TARGET_FIRST_REQUEST_MS = 30;
const TARGET_ROWS_PER_EXECUTION = 3;
const FRESH_ISOLATES = 5;
/** `npm run bench:worker -- --first-request`: only the fresh-isolate figures (about 45 s), nothing written. */
const FIRST_REQUEST_ONLY = process.argv.includes("--first-request");
const REFERENCE_ROUNDS = 3;
const OVERRIDE_POOL_SIZE = "12";
// Room for the override's 12 asyncify instances and the sync one: more than a production
// isolate's 128 MB allows, so that row shows what the pool gives where memory is not the bound.
const OVERRIDE_MEMORY_MB = "256";
const FETCH_TASK = "bench-fetch";

/**
 * Where Miniflare keeps D1 and R2: in memory (tmpfs) where the machine has one. Miniflare's D1
 * is a SQLite file that syncs to disk on every commit; on a disk shared with other work that
 * sync, not the Worker, decided the figures (a single client's /run took 6-12 ms with the file
 * on disk against 4-5 ms in tmpfs, same build, same hour). Production D1 is a remote service
 * whose commit costs are its own. One reference round keeps the state on disk
 * (referencePass), so what this choice changes stays visible.
 */
const MEMORY_STATE_ROOT = "/dev/shm";
const stateRoot = existsSync(MEMORY_STATE_ROOT) ? MEMORY_STATE_ROOT : os.tmpdir();

// Temp dirs (build output, D1/R2 state) to remove even when the run is cut short.
const tempDirs = new Set<string>();
async function tempDir(prefix: string, root = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(root, prefix));
  tempDirs.add(dir);
  return dir;
}
async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

// A hung run must not hang CI or a README refresh. Miniflare's exit hook stops workerd.
const deadline = setTimeout(() => {
  console.error("bench:worker: gave up after 720 s");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}, 720_000);
deadline.unref();

// ---------------------------------------------------------------------------------------------
// Building: the two bench workers with esbuild (the Worker itself: worker-build.ts).

// The Worker's wasm imports become modules next to the bundle, as wrangler's CompiledWasm rule does.
const QUICKJS_BUILDS = ["sync", "asyncify"] as const;
const wasmFile = (build: string) => `quickjs-${build}.wasm`;
const wasmAsModule: Plugin = {
  name: "quickjs-wasm-module",
  setup(b) {
    b.onResolve({ filter: /quickjs-wasmfile-release-(sync|asyncify)\/wasm$/ }, (args) => ({ path: `./${wasmFile(/release-(sync|asyncify)/.exec(args.path)![1]!)}`, external: true }));
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
  for (const quickjsBuild of QUICKJS_BUILDS) {
    if (!script.includes(`./${wasmFile(quickjsBuild)}`)) continue;
    const wasm = await readFile(new URL(import.meta.resolve(`@jitl/quickjs-wasmfile-release-${quickjsBuild}/wasm`)));
    modules.push({ type: "CompiledWasm", path: join(outDir, wasmFile(quickjsBuild)), contents: new Uint8Array(wasm) });
  }
  return modules;
}

// ---------------------------------------------------------------------------------------------
// Miniflare: one workerd process with the Worker and the bench workers, each on its own socket.

interface Built {
  ratchet: V4Module[];
  /** wrangler.toml's vars and rate limits, as wrangler reads them. */
  config: WorkerConfig;
  /** The Worker's RATCHET_SECRETS_KEY, one for the whole run (the fresh-isolate rounds reuse a database). */
  secretsKey: string;
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

/** workerd's log lines (uncaught exceptions, console output) counted by first line: a failing route logs per request. */
type LogCounts = Map<string, number>;

/** The options every bench worker shares, and the Worker's bindings (the breakdown worker shares its D1 database and R2 bucket: same ids). */
/** How a reference pass sets the Worker up differently from `ratchet serve`. */
interface Variant {
  /** Count the rate limits through Miniflare's Rate Limiting binding instead of the isolate. */
  rateLimitBinding?: boolean;
  /** Answer once the record is in D1, as a deployed Worker does, instead of EXECUTION_RECORDS=after-response. */
  recordsBeforeResponse?: boolean;
}

function workerOptions(built: Built, facts: WranglerFacts, poolSize: string, variant: Variant = {}) {
  const common = {
    compatibilityDate: facts.compatibilityDate,
    compatibilityFlags: facts.compatibilityFlags,
    modulesRoot: built.buildDir,
    // A socket straight to each worker, skipping Miniflare's entry worker (one hop less, like production).
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const memoryMb = poolSize === OVERRIDE_POOL_SIZE ? OVERRIDE_MEMORY_MB : facts.defaultMemoryMb;
  const sandbox = { SANDBOX_POOL_SIZE: poolSize, SANDBOX_MEMORY_MB: memoryMb, RATCHET_EGRESS_ALLOW: "127.0.0.1" };
  const storage = { d1Databases: { DB: "ratchet-db" }, r2Buckets: { BUNDLES: "ratchet-bundles" } };
  const served = Object.entries(servedBindings(built.config, { poolSize, memoryMb, secretsKey: built.secretsKey }));
  const bindings = Object.fromEntries(served.filter(([name]) => !(variant.recordsBeforeResponse && name === "EXECUTION_RECORDS")));
  // The breakdown's recording routes answer when the Worker's would.
  const breakdownBindings: Record<string, string> = { ...sandbox, ...(bindings.EXECUTION_RECORDS ? { EXECUTION_RECORDS: bindings.EXECUTION_RECORDS } : {}) };
  // Without the bindings the Worker counts in the isolate (src/platform/rate-limit/select.ts), as under `ratchet serve`: a reference pass shows what Miniflare's binding costs.
  const ratelimits = Object.fromEntries(built.config.rateLimits.map(({ name, namespace_id }) => [name, { namespace_id, simple: { limit: Number(BENCH_RATE_LIMIT), period: 60 as const } }]));
  return { common, breakdownBindings, storage, ratchet: { ...common, ...storage, bindings, ...(variant.rateLimitBinding ? { ratelimits } : {}) } };
}

function miniflareOptions(stateDir: string, logs: LogCounts) {
  return {
    host: "127.0.0.1",
    port: 0,
    cf: false,
    resourcePersistencePath: stateDir,
    handleStructuredLogs: (log: { level: string; message: string }) => {
      const first = log.message.split("\n")[0]!.slice(0, 240);
      if (!first.startsWith("stack:")) logs.set(`${log.level}: ${first}`, (logs.get(`${log.level}: ${first}`) ?? 0) + 1);
    },
  };
}

async function startMiniflare(built: Built, facts: WranglerFacts, poolSize: string, stateDir: string, logs: LogCounts, variant: Variant = {}): Promise<Instance> {
  const { common, breakdownBindings, storage, ratchet } = workerOptions(built, facts, poolSize, variant);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...miniflareOptions(stateDir, logs),
      workers: [
        { name: "ratchet", modules: built.ratchet, ...ratchet },
        { name: "baseline", modules: built.baseline, ...common },
        { name: "breakdown", modules: built.breakdown, ...common, ...storage, bindings: breakdownBindings },
      ],
    }),
  );
  try {
    await mf.ready;
    const url = async (name: string) => (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, "");
    return { mf, ratchet: await url("ratchet"), baseline: await url("baseline"), breakdown: await url("breakdown") };
  } catch (error) {
    await mf.dispose().catch(() => undefined); // the caller has no handle to dispose it
    throw error;
  }
}


/**
 * workerd's CPU time (all its threads, from /proc) from its start until Miniflare is ready, with
 * one worker holding the Worker's bindings and running `modules`: workerd evaluates a Worker's
 * modules before it listens, so this is where the Worker's load shows, and no request sees it.
 */
async function startCpuMs(built: Built, facts: WranglerFacts, modules: V4Module[], stateDir: string): Promise<number> {
  const mf = new Miniflare(convertV4MiniflareOptions({ ...miniflareOptions(stateDir, new Map()), workers: [{ name: "ratchet", modules, ...workerOptions(built, facts, facts.defaultPoolSize).ratchet }] }));
  try {
    await mf.ready;
    const sample = await sampleProc();
    if (!sample) return NaN;
    return (sample.workerdTicks / CLOCK_TICKS_PER_SECOND) * 1000;
  } finally {
    await mf.dispose();
  }
}

interface WorkerLoad {
  /** workerd's CPU to start with the Worker, and with the no-sandbox Hono worker in its place (same bindings), alternating. */
  ratchetCpuMs: number[];
  referenceCpuMs: number[];
  /** The difference of the medians: what loading the Worker itself costs. */
  medianLoadCpuMs: number;
}

async function workerLoad(built: Built, facts: WranglerFacts): Promise<WorkerLoad> {
  const stateDir = await tempDir("ratchet-bench-load-", stateRoot);
  try {
    const ratchetCpuMs: number[] = [];
    const referenceCpuMs: number[] = [];
    for (let i = 0; i < FRESH_ISOLATES; i++) {
      referenceCpuMs.push(await startCpuMs(built, facts, built.baseline, stateDir));
      ratchetCpuMs.push(await startCpuMs(built, facts, built.ratchet, stateDir));
    }
    return { ratchetCpuMs, referenceCpuMs, medianLoadCpuMs: median(ratchetCpuMs) - median(referenceCpuMs) };
  } finally {
    await removeTempDir(stateDir);
  }
}

async function executionCount(mf: Miniflare, taskName: string): Promise<number> {
  const db = await mf.getD1Database("DB", "ratchet");
  const row = await db.prepare("select count(*) as n from executions where task_name = ?").bind(taskName).first<{ n: number }>();
  return row?.n ?? 0;
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
  /** Busy cores on the machine outside workerd and this process: other load that skews the figures. */
  otherCores?: number;
  /** workerd's resident memory at the end of the window. */
  workerdRssMiB?: number;
}


async function closedLoop(target: Target, durationMs: number, clients: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let requests = 0;
  let errors = 0;
  const init: RequestInit = { method: target.method, headers: target.body ? { "content-type": "application/json" } : {}, body: target.body };
  const proc0 = await sampleProc();
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
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const proc1 = await sampleProc();
  const sorted = latencies.sort((a, b) => a - b);
  const cores = (ticks: number) => ticks / CLOCK_TICKS_PER_SECOND / seconds;
  const workerdCores = proc0 && proc1 ? cores(proc1.workerdTicks - proc0.workerdTicks) : undefined;
  const clientCores = (cpu.user + cpu.system) / 1e6 / seconds;
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
    workerdCpuMsPerRequest: workerdCores === undefined || latencies.length === 0 ? undefined : (workerdCores * seconds * 1000) / latencies.length,
    workerdCores,
    clientCores,
    otherCores: proc0 && proc1 && workerdCores !== undefined ? cores(proc1.machineBusyTicks - proc0.machineBusyTicks) - workerdCores - clientCores : undefined,
    workerdRssMiB: proc1?.workerdRssMiB,
  };
}

interface Measurement extends LoadResult {
  scenario: string;
  poolSize?: string;
  clients: number;
  /** For the fetch task: clients / upstream delay, what the route would do with no overhead at all. */
  idealPerSecond?: number;
  /** For routes that record executions: rows written for the requests that succeeded, and how long after the window the last one landed. */
  /** Rows expected (warm-up + measured successes), found right after the window, found after waiting up to 15 s more. */
  recorded?: { expected: number; atOnce: number; found: number; drainMs: number };
  /** D1's rows_written per record over the window (warm-up included), from the Worker's /metrics. */
  rowsPerExecution?: number;
}

/** The Worker's record-writing counters (this isolate's), from its /metrics. */
async function recordCounters(ratchet: string): Promise<{ written: number; rowsWritten: number }> {
  const text = await (await fetch(`${ratchet}/metrics`)).text();
  const figure = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
  return { written: figure("ratchet_execution_records_written_total"), rowsWritten: figure("ratchet_execution_record_rows_written_total") };
}

/** Warm-up, then the measured window; for recording routes, counts the rows right after it (after one read through the Worker, which waits for the records it accepted). */
interface MeasureOptions {
  poolSize: string;
  clients?: number;
  /** The route fetches the 50 ms upstream once: its ratio is against clients / 50 ms. */
  fetchesUpstream?: boolean;
  /** Count execution rows with this task_name: every answered execution must be in D1 when the window ends. */
  recordsAs?: string;
  mf?: Miniflare;
  /** The Worker's base URL, to read its rows-written counters around the run. */
  ratchet?: string;
  /** Shorter windows, for the alternating rounds of the trivial ratio. */
  round?: boolean;
}

async function measure(scenario: string, target: Target, opts: MeasureOptions): Promise<Measurement> {
  const clients = opts.clients ?? CLIENTS;
  process.stdout.write(`  ${scenario} (pool ${opts.poolSize}, ${clients} clients) ... `);
  const before = opts.mf && opts.recordsAs ? await executionCount(opts.mf, opts.recordsAs) : 0;
  const counters0 = opts.ratchet ? await recordCounters(opts.ratchet) : undefined;
  const warm = await closedLoop(target, opts.round ? ROUND_WARMUP_MS : WARMUP_MS, clients);
  const result = await closedLoop(target, opts.round ? ROUND_MEASURE_MS : MEASURE_MS, clients);
  let recorded: Measurement["recorded"];
  if (opts.mf && opts.recordsAs) {
    const expected = warm.ok + result.ok;
    const t0 = performance.now();
    // Any later request reads every answered id: a read through the Worker first, then D1 itself.
    if (opts.ratchet) await (await fetch(`${opts.ratchet}/api/v1/executions?limit=1`)).text();
    let found = (await executionCount(opts.mf, opts.recordsAs)) - before;
    const atOnce = found;
    while (found < expected && performance.now() - t0 < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      found = (await executionCount(opts.mf, opts.recordsAs)) - before;
    }
    recorded = { expected, atOnce, found, drainMs: performance.now() - t0 };
  }
  let rowsPerExecution: number | undefined;
  if (opts.ratchet && counters0) {
    const counters1 = await recordCounters(opts.ratchet);
    rowsPerExecution = (counters1.rowsWritten - counters0.rowsWritten) / (counters1.written - counters0.written);
  }
  console.log(`${result.rps.toFixed(0)} rps${result.errors ? `, ${result.errors} errors` : ""}`);
  const idealPerSecond = opts.fetchesUpstream ? clients / (UPSTREAM_MS / 1000) : undefined;
  return { scenario, poolSize: opts.poolSize, clients, idealPerSecond, ...result, recorded, rowsPerExecution };
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

/** One request after a load run: does the isolate still serve? (A failed run may leave it broken.) */
async function probe(url: string, body: string): Promise<string> {
  const t0 = performance.now();
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return `${response.status} in ${(performance.now() - t0).toFixed(1)} ms${response.ok ? "" : `: ${text.slice(0, 160)}`}`;
  } catch (error) {
    return `no answer after ${(performance.now() - t0).toFixed(0)} ms: ${String(error)}`;
  }
}

/**
 * Read-your-writes under load: CLIENTS clients each POST /run/addition and at once GET the
 * execution id it answered, for `durationMs`; every GET must find it (200).
 */
async function readYourWrites(ratchet: string, durationMs: number): Promise<{ pairs: number; missing: number; sample?: string }> {
  let pairs = 0;
  let missing = 0;
  let sample: string | undefined;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() - began < durationMs) {
        const ran = await fetch(`${ratchet}/api/v1/run/addition`, { method: "POST", headers: { "content-type": "application/json" }, body: ADDITION_BODY });
        await ran.text();
        const id = ran.headers.get("x-ratchet-execution-id");
        const read = await fetch(`${ratchet}/api/v1/executions/${id}`);
        const text = await read.text();
        pairs += 1;
        if (read.status !== 200) {
          missing += 1;
          sample ??= `${read.status} ${text.slice(0, 160)}`;
        }
      }
    }),
  );
  return { pairs, missing, ...(sample ? { sample } : {}) };
}

/** Rows D1 wrote for one execution run alone (no batch shared with another request). */
async function rowsForOneExecution(ratchet: string): Promise<number> {
  const before = await recordCounters(ratchet);
  const ran = await fetch(`${ratchet}/api/v1/run/addition`, { method: "POST", headers: { "content-type": "application/json" }, body: ADDITION_BODY });
  await ran.text();
  const after = await recordCounters(ratchet);
  return (after.rowsWritten - before.rowsWritten) / (after.written - before.written);
}

interface FirstRequests {
  /** Fresh isolates whose first request is POST /run/addition: workerd's start and the Worker's load (mf.ready), the first and second request, and the first run's own duration (its record's duration_ms: validation and sandbox). */
  runs: { startMs: number; firstMs: number; secondMs: number; firstExecutionMs: number }[];
  /** Fresh isolates whose first request is a 404 at the root (HTTP into the isolate and Hono; no D1, no sandbox), then POST /run/addition (D1's first read and write, the run). */
  probed: { startMs: number; notFoundMs: number; runMs: number }[];
  /** Fresh isolates started without the migrations check, so Miniflare's D1 object starts on the first request's first D1 call. */
  coldD1FirstMs: number[];
  medianStartMs: number;
  medianFirstMs: number;
  medianSecondMs: number;
  medianFirstExecutionMs: number;
  medianNotFoundFirstMs: number;
  medianRunAfterNotFoundMs: number;
  /** The first request on a brand-new database (bundled tasks registered on demand). */
  newDatabaseFirstMs: number;
  medianColdD1FirstMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timedRun(ratchet: string): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const response = await fetch(`${ratchet}/api/v1/run/addition`, { method: "POST", headers: { "content-type": "application/json" }, body: ADDITION_BODY });
  const body = (await response.json()) as { sum?: number };
  if (body.sum !== 3) throw new Error(`first request: unexpected answer ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, id: response.headers.get("x-ratchet-execution-id") ?? "" };
}

async function timedNotFound(ratchet: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${ratchet}/bench-probe`);
  await response.text();
  if (response.status !== 404) throw new Error(`first request probe: expected 404, got ${response.status}`);
  return performance.now() - t0;
}

/**
 * The first request on a fresh isolate: workerd started anew (a fresh isolate, nothing cached)
 * on a database that already holds the bundled tasks, then one POST /run/addition; measured
 * FRESH_ISOLATES times. The isolate's start (which builds the sandbox and preloads the bundled
 * tasks) is its own figure. Alternating with those, isolates whose first request is a 404 at the
 * root split the first /run into what any first request pays (the HTTP hop into a fresh isolate)
 * and what is left (D1's first read and write in Miniflare, the run itself). Each start checks the
 * migrations first, as `ratchet serve` does on every start, which starts Miniflare's D1 object
 * (7-8 ms the first time a D1 call reaches it); a third set of isolates starts without that check,
 * so their first request pays for it.
 */
async function firstRequests(built: Built, facts: WranglerFacts): Promise<FirstRequests> {
  const stateDir = await tempDir("ratchet-bench-first-", stateRoot);
  const logs: LogCounts = new Map();
  try {
    let newDatabaseFirstMs = NaN;
    const runs: FirstRequests["runs"] = [];
    const probed: FirstRequests["probed"] = [];
    const coldD1FirstMs: number[] = [];
    for (let i = 0; i <= 3 * FRESH_ISOLATES; i++) {
      const t0 = performance.now();
      const instance = await startMiniflare(built, facts, facts.defaultPoolSize, stateDir, logs);
      const startMs = performance.now() - t0;
      try {
        if (i === 0 || i % 3 !== 0) await applyMigrations(instance.mf);
        if (i === 0) {
          newDatabaseFirstMs = (await timedRun(instance.ratchet)).ms;
        } else if (i % 3 === 0) {
          coldD1FirstMs.push((await timedRun(instance.ratchet)).ms);
        } else if (i % 3 === 1) {
          const first = await timedRun(instance.ratchet);
          const secondMs = (await timedRun(instance.ratchet)).ms;
          const record = (await (await fetch(`${instance.ratchet}/api/v1/executions/${first.id}`)).json()) as { duration_ms?: number };
          runs.push({ startMs, firstMs: first.ms, secondMs, firstExecutionMs: record.duration_ms ?? NaN });
        } else {
          const notFoundMs = await timedNotFound(instance.ratchet);
          probed.push({ startMs, notFoundMs, runMs: (await timedRun(instance.ratchet)).ms });
        }
      } finally {
        await instance.mf.dispose();
      }
    }
    return {
      runs,
      probed,
      medianStartMs: median(runs.map((r) => r.startMs)),
      medianFirstMs: median(runs.map((r) => r.firstMs)),
      medianSecondMs: median(runs.map((r) => r.secondMs)),
      medianFirstExecutionMs: median(runs.map((r) => r.firstExecutionMs)),
      medianNotFoundFirstMs: median(probed.map((r) => r.notFoundMs)),
      medianRunAfterNotFoundMs: median(probed.map((r) => r.runMs)),
      newDatabaseFirstMs,
      coldD1FirstMs,
      medianColdD1FirstMs: median(coldD1FirstMs),
    };
  } finally {
    await removeTempDir(stateDir);
  }
}

interface D1BatchCost {
  rows: number;
  /** workerd's CPU (every thread: the Worker, Miniflare's D1 workers and SQLite) per batch. */
  cpuMsPerBatch: number;
  wallMsPerBatch: number;
}

const D1_BATCH_ROWS = [1, 4, 10];
const D1_BATCHES = 300;

/**
 * One record batch (insertExecutions: the rows and the stats upsert, one D1 call) of 1, 4 and 10
 * rows, D1_BATCHES times back to back in one request of the breakdown worker, with workerd's CPU
 * read around it: a D1 call's fixed cost against its cost per row, which decides what sharing
 * batches between requests (record-writer.ts) can save.
 */
async function d1BatchCosts(breakdown: string): Promise<D1BatchCost[] | undefined> {
  const costs: D1BatchCost[] = [];
  for (const rows of D1_BATCH_ROWS) {
    await fetch(`${breakdown}/d1-batches?n=20&rows=${rows}`, { method: "POST" }).then((r) => r.text()); // warm-up
    const before = await sampleProc();
    const response = await fetch(`${breakdown}/d1-batches?n=${D1_BATCHES}&rows=${rows}`, { method: "POST" });
    const body = (await response.json()) as { wallMeanMs: number };
    const after = await sampleProc();
    if (!before || !after) return undefined;
    costs.push({ rows, cpuMsPerBatch: ((after.workerdTicks - before.workerdTicks) / CLOCK_TICKS_PER_SECOND / D1_BATCHES) * 1000, wallMsPerBatch: body.wallMeanMs });
  }
  return costs;
}

interface EngineLoop {
  n: number;
  wallMeanMs: number;
  durationMs: number;
  inputValidationMs: number;
  sandboxMs: number;
  outputValidationMs: number;
}

interface Row {
  poolSize: string;
  measurements: Measurement[];
  /** POST then GET of the id, CLIENTS at once: GETs that did not find the record. */
  readYourWrites: { pairs: number; missing: number; sample?: string };
  /** D1 rows_written for one execution recorded alone. */
  rowsPerSingleExecution: number;
  /** Single requests sent after the fetch-task load, to see whether the isolate survived it. */
  probesAfterFetchRun: { addition: string; fetchTask: string };
  /** Engine.execute back to back inside one request of the breakdown worker (no HTTP, no D1). */
  engineLoop?: EngineLoop;
  /** Record batches back to back inside one request of the breakdown worker: what a D1 call costs here. */
  d1Batches?: D1BatchCost[];
  workerdLogs: Record<string, number>;
}

interface ReferencePass {
  stateRoot: string;
  measurements: Measurement[];
  ratio: number;
  rounds: number[];
}

/**
 * Alternating baseline and /run/addition rounds on a Miniflare set up one way differently:
 * D1's file on disk (under the OS temp folder), the rate limits counted through Miniflare's
 * Rate Limiting binding instead of in the isolate, or each run answering once its record is in
 * D1 (a deployed Worker's way) instead of before.
 */
async function referencePass(built: Built, facts: WranglerFacts, label: string, variant: Variant & { root: string }): Promise<ReferencePass> {
  const stateDir = await tempDir("ratchet-bench-ref-", variant.root);
  const instance = await startMiniflare(built, facts, facts.defaultPoolSize, stateDir, new Map(), variant);
  try {
    const { mf, ratchet, baseline } = instance;
    await applyMigrations(mf);
    await expectJson(`run addition (${label})`, `${ratchet}/api/v1/run/addition`, { method: "POST", body: ADDITION_BODY }, (b) => b.sum === 3);
    const measurements: Measurement[] = [];
    const rounds: number[] = [];
    const poolSize = `${facts.defaultPoolSize}, ${label}`;
    for (let round = 1; round <= REFERENCE_ROUNDS; round++) {
      const base = await measure(`ref, ${label}: baseline #${round}`, { method: "POST", url: `${baseline}/run`, body: ADDITION_BODY }, { poolSize, round: true });
      const run = await measure(`ref, ${label}: POST /api/v1/run/addition #${round}`, { method: "POST", url: `${ratchet}/api/v1/run/addition`, body: ADDITION_BODY }, { poolSize, mf, ratchet, recordsAs: "addition", round: true });
      measurements.push(base, run);
      rounds.push(run.rps / base.rps);
    }
    return { stateRoot: variant.root, measurements, ratio: median(rounds), rounds };
  } finally {
    await instance.mf.dispose();
    await removeTempDir(stateDir);
  }
}

/** Every scenario for one SANDBOX_POOL_SIZE, on a fresh Miniflare (fresh isolates, so the Worker's engine reads the new size). */
async function runRow(built: Built, facts: WranglerFacts, poolSize: string, upstreamUrl: string, withReferences: boolean): Promise<Row> {
  const stateDir = await tempDir("ratchet-bench-state-", stateRoot);
  const logs: LogCounts = new Map();
  let instance: Instance | undefined;
  try {
    instance = await startMiniflare(built, facts, poolSize, stateDir, logs);
    const { mf, ratchet, baseline, breakdown } = instance;
    await applyMigrations(mf);

    // Deploy the fetch task through the real API, then check each route answers as it should.
    const post = { method: "POST", body: ADDITION_BODY };
    const fetchBody = JSON.stringify({ url: upstreamUrl });
    await expectJson("deploy fetch task", `${ratchet}/api/v1/tasks/${FETCH_TASK}`, { method: "PUT", body: JSON.stringify(fetchTaskDocument()) }, (b) => b.outcome === "created");
    await expectJson("run addition", `${ratchet}/api/v1/run/addition`, post, (b) => b.sum === 3);
    await expectJson("run fetch task", `${ratchet}/api/v1/run/${FETCH_TASK}`, { method: "POST", body: fetchBody }, (b) => b.status === 200 && b.ok === true);
    await expectJson("baseline", `${baseline}/run`, post, (b) => b.sum === 3);

    const rows: Measurement[] = [];
    for (let round = 1; round <= RATIO_ROUNDS; round++) {
      rows.push(await measure(`baseline: Hono, no sandbox #${round}`, { method: "POST", url: `${baseline}/run`, body: ADDITION_BODY }, { poolSize, round: true }));
      rows.push(await measure(`POST /api/v1/run/addition #${round}`, { method: "POST", url: `${ratchet}/api/v1/run/addition`, body: ADDITION_BODY }, { poolSize, mf, ratchet, recordsAs: "addition", round: true }));
    }
    const ryw = await readYourWrites(ratchet, ROUND_MEASURE_MS);
    const rowsPerSingleExecution = await rowsForOneExecution(ratchet);
    console.log(`    read-your-writes: ${ryw.pairs - ryw.missing}/${ryw.pairs} ids read at once (${CLIENTS} clients); rows written for one execution alone: ${rowsPerSingleExecution}`);
    const fetchTarget: Target = { method: "POST", url: `${ratchet}/api/v1/run/${FETCH_TASK}`, body: fetchBody };
    if (Number(poolSize) < CLIENTS) {
      // First with no more clients than sandboxes: what the pool gives when no execution has to wait for one.
      rows.push(await measure(`diag: /run/${FETCH_TASK}, clients = pool size`, fetchTarget, { poolSize, clients: Number(poolSize), fetchesUpstream: true, mf, ratchet, recordsAs: FETCH_TASK }));
    }
    rows.push(await measure(`POST /api/v1/run/${FETCH_TASK} (50 ms upstream)`, fetchTarget, { poolSize, fetchesUpstream: true, mf, ratchet, recordsAs: FETCH_TASK }));
    const probesAfterFetchRun = {
      addition: await probe(`${ratchet}/api/v1/run/addition`, ADDITION_BODY),
      fetchTask: await probe(`${ratchet}/api/v1/run/${FETCH_TASK}`, fetchBody),
    };
    console.log(`    after the fetch run, one request each: addition ${probesAfterFetchRun.addition}; fetch task ${probesAfterFetchRun.fetchTask}`);

    let engineLoop: EngineLoop | undefined;
    let d1Batches: D1BatchCost[] | undefined;
    if (withReferences) {
      await expectJson("breakdown sandbox", `${breakdown}/sandbox`, post, (b) => b.sum === 3);
      await expectJson("breakdown sandbox-fetch", `${breakdown}/sandbox-fetch`, { method: "POST", body: fetchBody }, (b) => b.status === 200 && b.ok === true);
      rows.push(await measure("ref: GET /api/v1/health (Hono + D1 read + R2 head)", { method: "GET", url: `${ratchet}/api/v1/health` }, { poolSize }));
      rows.push(await measure("ref: Hono + sandbox (Engine.execute, no D1)", { method: "POST", url: `${breakdown}/sandbox`, body: ADDITION_BODY }, { poolSize }));
      rows.push(await measure("ref: Hono + D1 insert (recordExecution, no sandbox)", { method: "POST", url: `${breakdown}/record`, body: ADDITION_BODY }, { poolSize, mf, recordsAs: "bench-breakdown" }));
      rows.push(await measure("ref: Hono + sandbox + D1 insert (no lookup)", { method: "POST", url: `${breakdown}/sandbox-record`, body: ADDITION_BODY }, { poolSize, mf, recordsAs: "bench-breakdown" }));
      rows.push(await measure("ref: Node fetch of the upstream, no workerd", { method: "GET", url: upstreamUrl }, { poolSize, fetchesUpstream: true }));
      rows.push(await measure("ref: Hono + one fetch of the upstream, no sandbox", { method: "POST", url: `${breakdown}/fetch`, body: fetchBody }, { poolSize, fetchesUpstream: true }));
      rows.push(await measure("ref: Hono + sandbox running the fetch task (no D1)", { method: "POST", url: `${breakdown}/sandbox-fetch`, body: fetchBody }, { poolSize, fetchesUpstream: true }));
      await fetch(`${breakdown}/engine-loop?n=300`).then((r) => r.text()); // warm-up
      engineLoop = (await (await fetch(`${breakdown}/engine-loop?n=1000`)).json()) as EngineLoop;
      d1Batches = await d1BatchCosts(breakdown);
    }
    return { poolSize, measurements: rows, readYourWrites: ryw, rowsPerSingleExecution, probesAfterFetchRun, engineLoop, d1Batches, workerdLogs: Object.fromEntries(logs) };
  } finally {
    await instance?.mf.dispose();
    await removeTempDir(stateDir);
  }
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined || Number.isNaN(x) ? "-" : x.toFixed(digits);
}

function printTable(rows: Measurement[], baselineRps: Map<string | undefined, number>): void {
  const header = ["scenario", "pool", "clients", "rps", "ratio", "p50 ms", "p95 ms", "p99 ms", "errors", "workerd CPU ms/req", "workerd cores", "client cores", "other cores", "workerd RSS MiB", "recorded at once", "rows/exec"];
  const lines = rows.map((m) => {
    const ratio = m.idealPerSecond ? m.rps / m.idealPerSecond : m.rps / (baselineRps.get(m.poolSize) ?? NaN);
    return [
      m.scenario,
      m.poolSize ?? "-",
      String(m.clients),
      fmt(m.rps, 0),
      m.scenario.startsWith("baseline") ? "1" : fmt(ratio, 2),
      fmt(m.p50Ms, 2),
      fmt(m.p95Ms, 2),
      fmt(m.p99Ms, 2),
      String(m.errors),
      fmt(m.workerdCpuMsPerRequest, 2),
      fmt(m.workerdCores, 2),
      fmt(m.clientCores, 2),
      fmt(m.otherCores, 2),
      fmt(m.workerdRssMiB, 0),
      m.recorded ? `${m.recorded.atOnce}/${m.recorded.expected}${m.recorded.found > m.recorded.atOnce ? ` (${m.recorded.found} after ${m.recorded.drainMs.toFixed(0)} ms)` : ""}` : "-",
      fmt(m.rowsPerExecution, 2),
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

function printFirstRequests(first: FirstRequests): void {
  for (const r of first.runs) console.log(`  isolate start ${r.startMs.toFixed(0)} ms, first POST /run/addition ${r.firstMs.toFixed(1)} ms (the run itself ${r.firstExecutionMs} ms), second ${r.secondMs.toFixed(1)} ms`);
  for (const r of first.probed) console.log(`  isolate start ${r.startMs.toFixed(0)} ms, first request a 404 at the root ${r.notFoundMs.toFixed(1)} ms, then POST /run/addition ${r.runMs.toFixed(1)} ms`);
  console.log(`  started without the migrations check (Miniflare's D1 object starts on the first request): first POST /run/addition ${first.coldD1FirstMs.map((ms) => ms.toFixed(1)).join(", ")} ms`);
}

const workerLoadLine = (load: WorkerLoad) =>
  `  workerd CPU to start with the Worker ${load.ratchetCpuMs.map((ms) => ms.toFixed(0)).join(", ")} ms; with the no-sandbox Hono worker in its place ${load.referenceCpuMs.map((ms) => ms.toFixed(0)).join(", ")} ms`;

const firstRequestLine = (first: FirstRequests, load: WorkerLoad) =>
  `first request on a fresh isolate: ${first.medianFirstMs.toFixed(1)} ms (median of ${FRESH_ISOLATES}; target < ${TARGET_FIRST_REQUEST_MS}; the run itself ${fmt(first.medianFirstExecutionMs)} ms), second ${first.medianSecondMs.toFixed(1)} ms; ` +
  `a 404 as the first request ${first.medianNotFoundFirstMs.toFixed(1)} ms, then the first /run ${first.medianRunAfterNotFoundMs.toFixed(1)} ms; ` +
  `without serve's migrations check at start (D1's object then starts on the first request) ${first.medianColdD1FirstMs.toFixed(1)} ms; ` +
  `isolate start (workerd + Worker load, sandbox built) ${first.medianStartMs.toFixed(0)} ms, of which loading the Worker ${load.medianLoadCpuMs.toFixed(0)} ms of workerd CPU (before any request); first request on a brand-new database ${first.newDatabaseFirstMs.toFixed(0)} ms`;

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

  const buildDir = await tempDir("ratchet-bench-build-");
  let upstream: Upstream | undefined;
  try {
    const t0 = performance.now();
    const built: Built = {
      ...(await buildRatchet(buildDir).then(({ modules, config }) => ({ ratchet: modules, config }))),
      secretsKey: randomBytes(32).toString("base64"),
      baseline: await bundleWorker("bench/workers/baseline.ts", buildDir, "baseline.js"),
      breakdown: await bundleWorker("bench/workers/breakdown.ts", buildDir, "breakdown.js"),
      buildDir,
    };
    console.log(`built the Worker (wrangler deploy --dry-run) and the bench workers (esbuild) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log("access: RATCHET_ACCESS = \"open\", the open local setup (`ratchet serve` without a token): requests carry no token and none is checked");
    console.log(`rate limits: ${benchRateLimits(built.config).notice.replace(/^Ratchet: rate limits on runs, \/mcp and \/graphql: /, "")}, raised for the bench; every run still passes the limiter`);
    if (FIRST_REQUEST_ONLY) {
      const first = await firstRequests(built, facts);
      printFirstRequests(first);
      const load = await workerLoad(built, facts);
      console.log(workerLoadLine(load));
      console.log(firstRequestLine(first, load));
      return;
    }
    upstream = await startSlowUpstream(UPSTREAM_MS);
    const upstreamUrl = upstream.url;
    console.log(`upstream: ${upstreamUrl} answers after ${UPSTREAM_MS} ms (ideal for ${CLIENTS} clients: ${IDEAL_FETCH_PER_SECOND}/s)`);
    console.log("every /run request records its execution in D1 (Miniflare's local SQLite), answering first as ratchet serve does (EXECUTION_RECORDS=after-response): that is measured too\n");

    console.log(`SANDBOX_POOL_SIZE = "${facts.defaultPoolSize}", SANDBOX_MEMORY_MB = "${facts.defaultMemoryMb}" (wrangler.toml defaults)`);
    const defaultRow = await runRow(built, facts, facts.defaultPoolSize, upstreamUrl, true);
    console.log(`SANDBOX_POOL_SIZE = "${OVERRIDE_POOL_SIZE}", SANDBOX_MEMORY_MB = "${OVERRIDE_MEMORY_MB}" (binding overrides, beyond a production isolate's memory)`);
    const overrideRow = await runRow(built, facts, OVERRIDE_POOL_SIZE, upstreamUrl, false);
    console.log(`reference: D1's file on disk (${os.tmpdir()}) instead of ${stateRoot}`);
    const disk = await referencePass(built, facts, "D1 on disk", { root: os.tmpdir() });
    console.log(`reference: rate limits through Miniflare's Rate Limiting binding instead of the isolate's counter (D1/R2 state in ${stateRoot})`);
    const bindingLimits = await referencePass(built, facts, "rate-limit binding", { root: stateRoot, rateLimitBinding: true });
    console.log("reference: each run answers once its record is in D1, as a deployed Worker does (no EXECUTION_RECORDS=after-response)");
    const beforeResponse = await referencePass(built, facts, "records before response", { root: stateRoot, recordsBeforeResponse: true });
    console.log(`first request on a fresh isolate (workerd restarted ${FRESH_ISOLATES} times on a database holding the tasks):`);
    const first = await firstRequests(built, facts);
    printFirstRequests(first);
    const load = await workerLoad(built, facts);
    console.log(workerLoadLine(load));
    console.log();

    const rows = [...defaultRow.measurements, ...overrideRow.measurements, ...disk.measurements, ...bindingLimits.measurements];
    const all = (pool: string, start: string) => rows.filter((m) => m.poolSize === pool && m.scenario.startsWith(start));
    const baselineRps = new Map([facts.defaultPoolSize, OVERRIDE_POOL_SIZE].map((pool) => [pool, median(all(pool, "baseline").map((m) => m.rps))]));
    for (const ref of [disk, bindingLimits]) baselineRps.set(ref.measurements[0]!.poolSize!, median(ref.measurements.filter((m) => m.scenario.includes("baseline")).map((m) => m.rps)));
    printTable(rows, baselineRps);
    const disturbed = rows.filter((m) => (m.otherCores ?? 0) > 0.3);
    if (disturbed.length > 0) {
      console.log(`  CAUTION: other processes kept >0.3 core busy during ${disturbed.length} run(s) (${disturbed.map((m) => `${m.scenario}, pool ${m.poolSize}`).join("; ")}): those figures are low; rerun on a quiet machine.`);
    }
    console.log("  ratio: against the same pool row's baseline; for rows that fetch the upstream, against clients / 50 ms. CPU and cores from /proc.");
    for (const m of rows.filter((r) => r.scenario.startsWith("baseline") && r.clientCores > 0.9 && r.workerdCpuMsPerRequest)) {
      console.log(
        `  note: the baseline (pool ${m.poolSize}) is bound by the load generator (${m.clientCores.toFixed(2)} cores) with workerd ${m.workerdCores?.toFixed(2)} cores busy; ` +
          `by workerd CPU alone it could serve ~${(1000 / m.workerdCpuMsPerRequest!).toFixed(0)} rps, so its ratios flatter the Worker.`,
      );
    }
    console.log();
    const loop = defaultRow.engineLoop;
    if (loop) {
      console.log(
        `engine alone in workerd (${loop.n} executions of tasks/addition back to back in one request, no HTTP/D1): ` +
          // Means only: workerd's performance.now() is coarse (whole ms here), so single samples say little.
        `${loop.wallMeanMs.toFixed(2)} ms each (mean); durationMs ${loop.durationMs.toFixed(2)} = ` +
          `input validation ${loop.inputValidationMs.toFixed(2)} + sandbox ${loop.sandboxMs.toFixed(2)} + output validation ${loop.outputValidationMs.toFixed(2)} + rest`,
      );
    }
    const d1 = defaultRow.d1Batches;
    if (d1) {
      console.log(
        `a D1 call in Miniflare (one record batch: rows + stats upsert, ${D1_BATCHES} back to back in one request): ` +
          d1.map((b) => `${b.rows} row${b.rows === 1 ? "" : "s"} ${b.cpuMsPerBatch.toFixed(2)} ms of workerd CPU (${b.wallMsPerBatch.toFixed(2)} ms wall)`).join(", "),
      );
    }
    for (const row of [defaultRow, overrideRow]) {
      const entries = Object.entries(row.workerdLogs).sort((a, b) => b[1] - a[1]);
      if (entries.length === 0) continue;
      console.log(`workerd log lines with pool ${row.poolSize} (count x first line):`);
      for (const [message, count] of entries.slice(0, 6)) console.log(`  ${String(count).padStart(6)} x ${message}`);
    }
    console.log();

    const pick = (pool: string, start: string) => rows.find((m) => m.poolSize === pool && m.scenario.startsWith(start))!;
    const figures = [facts.defaultPoolSize, OVERRIDE_POOL_SIZE].map((pool) => {
      const bases = all(pool, "baseline");
      const trivials = all(pool, "POST /api/v1/run/addition");
      // The round whose ratio is the median one stands for the row.
      const ratios = trivials.map((t, i) => ({ ratio: t.rps / bases[i]!.rps, base: bases[i]!, trivial: t }));
      const { ratio, base, trivial } = ratios.sort((a, b) => a.ratio - b.ratio)[Math.floor(ratios.length / 2)]!;
      const fetchRun = pick(pool, `POST /api/v1/run/${FETCH_TASK}`);
      return {
        poolSize: pool,
        baselineRps: base.rps,
        trivialRps: trivial.rps,
        trivialRatio: ratio,
        trivialRatioRounds: ratios.map((r) => Number(r.ratio.toFixed(3))),
        trivialP50Ms: trivial.p50Ms,
        trivialP95Ms: trivial.p95Ms,
        fetchPerSecond: fetchRun.rps,
        fetchRatio: fetchRun.rps / IDEAL_FETCH_PER_SECOND,
        fetchP50Ms: fetchRun.p50Ms,
        fetchP95Ms: fetchRun.p95Ms,
        trivialErrors: trivial.errors,
        fetchErrors: fetchRun.errors,
        probesAfterFetchRun: (pool === defaultRow.poolSize ? defaultRow : overrideRow).probesAfterFetchRun,
        readYourWrites: (pool === defaultRow.poolSize ? defaultRow : overrideRow).readYourWrites,
        recordedAtOnce: [trivial, fetchRun].every((m) => m.recorded && m.recorded.atOnce === m.recorded.expected),
        rowsPerSingleExecution: (pool === defaultRow.poolSize ? defaultRow : overrideRow).rowsPerSingleExecution,
        rowsPerExecutionTrivialLoad: trivial.rowsPerExecution,
        rowsPerExecutionFetchLoad: fetchRun.rowsPerExecution,
      };
    });
    const line = (f: (typeof figures)[number]) =>
      `worker /run trivial: ${f.trivialRps.toFixed(0)} rps vs no-sandbox Hono ${f.baselineRps.toFixed(0)} rps (ratio ${f.trivialRatio.toFixed(2)}, median of rounds ${f.trivialRatioRounds.join(", ")}; target ${TARGET_TRIVIAL_RATIO}); ` +
      `fetch task ${CLIENTS} clients x ${UPSTREAM_MS} ms: ${f.fetchPerSecond.toFixed(0)}/s (ratio ${f.fetchRatio.toFixed(2)} of ideal ${IDEAL_FETCH_PER_SECOND}/s, target ${TARGET_FETCH_RATIO})` +
      (f.fetchErrors > 0 ? `, ${f.fetchErrors} errors, then /run/addition answered ${f.probesAfterFetchRun.addition.split(":")[0]}` : "") +
      (f.trivialErrors > 0 ? `; ${f.trivialErrors} errors on /run/addition` : "") +
      `; read-your-writes ${f.readYourWrites.pairs - f.readYourWrites.missing}/${f.readYourWrites.pairs}${f.recordedAtOnce ? ", every answered id in D1 at the window's end" : ", SOME RECORDS LATE"}` +
      `; rows written per execution ${fmt(f.rowsPerSingleExecution, 2)} alone, ${fmt(f.rowsPerExecutionTrivialLoad, 2)} under load (target <= ${TARGET_ROWS_PER_EXECUTION})`;
    const firstLine = firstRequestLine(first, load);
    // The same two runs against routes that do the rest of the work without the sandbox: what the sandbox and the Worker around it cost.
    const reference = (start: string) => defaultRow.measurements.find((m) => m.scenario.startsWith(start))?.rps;
    const recordOnly = reference("ref: Hono + D1 insert");
    const fetchOnly = reference("ref: Hono + one fetch");
    const againstReferences =
      recordOnly && fetchOnly
        ? `; against routes doing the rest without the sandbox: /run ${(figures[0]!.trivialRps / recordOnly).toFixed(2)} of Hono recording an execution (${recordOnly.toFixed(0)} rps), the fetch task ${(figures[0]!.fetchPerSecond / fetchOnly).toFixed(2)} of Hono fetching the upstream (${fetchOnly.toFixed(0)}/s)`
        : "";
    const d1Line = d1 ? `; a D1 call (record batch) ${d1.map((b) => `${b.cpuMsPerBatch.toFixed(2)} ms of workerd CPU with ${b.rows} row${b.rows === 1 ? "" : "s"}`).join(", ")}` : "";
    const summary =
      `${line(figures[0]!)} [SANDBOX_POOL_SIZE ${figures[0]!.poolSize}, SANDBOX_MEMORY_MB ${facts.defaultMemoryMb}; D1 recording included, D1/R2 state in ${stateRoot}]; ${firstLine}; ` +
      `with D1's file on disk: trivial ratio ${disk.ratio.toFixed(2)} (rounds ${disk.rounds.map((r) => r.toFixed(2)).join(", ")}); ` +
      `with the rate limits through Miniflare's Rate Limiting binding: trivial ratio ${bindingLimits.ratio.toFixed(2)} (rounds ${bindingLimits.rounds.map((r) => r.toFixed(2)).join(", ")}); ` +
      `answering once the record is in D1 (a deployed Worker's way): trivial ratio ${beforeResponse.ratio.toFixed(2)} (rounds ${beforeResponse.rounds.map((r) => r.toFixed(2)).join(", ")})${againstReferences}${d1Line}; load average at the end ${os.loadavg()[0]!.toFixed(2)}`;
    console.log(summary);
    console.log(`  with SANDBOX_POOL_SIZE ${figures[1]!.poolSize}, SANDBOX_MEMORY_MB ${OVERRIDE_MEMORY_MB}: ${line(figures[1]!)}`);

    const results = {
      environment,
      notes: [
        "Every /run request records its execution in D1, answering before the record is written as ratchet serve does (EXECUTION_RECORDS=after-response: every read in the isolate waits for the records it accepted); 'recorded' counts the rows for warm-up + measured successes after one read through the Worker right after the window (atOnce) and after waiting (found, drainMs). recordsBeforeResponseReference answers once the record is in D1, as a deployed Worker does.",
        "Rows written: D1's rows_written (what it bills) summed by the Worker per record batch and read from its /metrics; one execution alone, and per execution under load (batches shared).",
        "First request: workerd restarted on a persisted database that already holds the tasks, its migrations checked as ratchet serve checks them on every start (which starts Miniflare's D1 object); startMs is Miniflare's start (workerd, the Worker's load, which builds the sync sandbox). coldD1FirstMs: restarts without that check.",
        "Worker load: workerd evaluates the Worker's modules before it listens, so no request's time includes it; workerLoad is workerd's CPU (from /proc) until ready with the Worker alone, against the no-sandbox Hono worker with the same bindings.",
        "Access: RATCHET_ACCESS=open, the open local setup (no token); rate limits counted in the Worker's isolate as under ratchet serve, raised to 100000000 per 60 s through RATCHET_RATE_LIMIT_CLIENT / _TOKEN, so every run still passes the limiter.",
        "D1 calls: record batches (insertExecutions) back to back in one request of the breakdown worker, workerd's CPU around it per batch: a call's fixed cost against its cost per row.",
        "Ratios: the trivial ratio is the median of RATIO_ROUNDS alternating baseline / /run/addition rounds; in the table, /run/addition and ref rows are against the median baseline of the same pool row; the fetch task against the ideal clients / upstream delay.",
        "workerd CPU from /proc (all workerd threads, including D1/R2 simulation), per successful request.",
      ],
      targets: { trivialRatio: TARGET_TRIVIAL_RATIO, fetchRatio: TARGET_FETCH_RATIO, idealFetchPerSecond: IDEAL_FETCH_PER_SECOND, upstreamMs: UPSTREAM_MS, firstRequestMs: TARGET_FIRST_REQUEST_MS, rowsPerExecution: TARGET_ROWS_PER_EXECUTION },
      figures,
      firstRequest: first,
      workerLoad: load,
      stateRoot,
      diskReference: { stateRoot: disk.stateRoot, trivialRatio: disk.ratio, rounds: disk.rounds },
      rateLimitBindingReference: { trivialRatio: bindingLimits.ratio, rounds: bindingLimits.rounds },
      recordsBeforeResponseReference: { trivialRatio: beforeResponse.ratio, rounds: beforeResponse.rounds },
      loadAverageAtEnd: Number(os.loadavg()[0]!.toFixed(2)),
      rows: [defaultRow, overrideRow],
      summary,
    };
    const outDir = join(root, "bench/results");
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, "worker-miniflare.json"), `${JSON.stringify(results, roundNumbers, 2)}\n`);
    console.log("\nwrote bench/results/worker-miniflare.json");
  } finally {
    await upstream?.stop();
    await removeTempDir(buildDir);
  }
}

await main();
