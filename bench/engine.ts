/**
 * `npm run bench`: what one execution costs in the real engine on this host (on the sync build),
 * where the time goes, what a sandbox instance costs once and per run, how well the CPU budget
 * matches real time on each build, and how fetch-bound tasks scale with concurrent clients. Prints a table and a summary line, and writes the same figures to
 * bench/results/engine-node.json. Not a test: nothing here passes or fails.
 * Runs in well under 2 minutes; the only network it touches is a local server on 127.0.0.1.
 */
import { readFile, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { createLocalEngine } from "../src/ops/local-engine.ts";
import { Engine, type ExecutionResult, type TaskBundle, type TaskFiles } from "../src/engine/index.ts";
import { POLLS_PER_CPU_MS } from "../src/engine/limits.ts";
import { instantiateQuickJS, type QuickJSBuild, type QuickJSWasm } from "../src/engine/sandbox/quickjs-module.ts";
import { SandboxInstance } from "../src/engine/sandbox/sandbox-instance.ts";
import { percentile, startSlowUpstream } from "./support.ts";

// A hung run must not hang CI or a README refresh.
setTimeout(() => {
  console.error("bench: gave up after 115 s");
  process.exit(1);
}, 115_000).unref();

const MiB = 1024 * 1024;

const BUILDS: QuickJSBuild[] = ["sync", "asyncify"];
/** The engine's linear-memory cap per instance: DEFAULT_MAXIMA.memoryBytes plus its runtime headroom. */
const INSTANCE_MEMORY_BYTES = 144 * MiB;

/** Compiles a build's wasm as createLocalEngine does, for the bare measurements. */
async function loadWasm(build: QuickJSBuild): Promise<WebAssembly.Module> {
  const url = new URL(import.meta.resolve(`@jitl/quickjs-wasmfile-release-${build}/wasm`));
  return WebAssembly.compile(await readFile(url));
}

const platformFetch = (request: Request): Promise<Response> => fetch(request);

function files(code: string, inputSchema: object = { type: "object" }): TaskFiles {
  return {
    "metadata.json": JSON.stringify({ uuid: crypto.randomUUID(), version: "1.0.0", label: "bench" }),
    "main.js": code,
    "input.schema.json": JSON.stringify(inputSchema),
    "output.schema.json": JSON.stringify({ type: "object" }),
  };
}

async function load(engine: Engine, code: string, inputSchema?: object): Promise<TaskBundle> {
  const checked = await engine.loadFiles(files(code, inputSchema));
  if (!checked.ok) throw new Error(`bench task did not load: ${JSON.stringify(checked.problems)}`);
  return checked.bundle;
}

function expectStatus(result: ExecutionResult, status: "completed" | "failed", errorType?: string): void {
  if (result.status !== status || (errorType !== undefined && result.error?.type !== errorType)) {
    throw new Error(`unexpected result: ${result.status} ${JSON.stringify(result.error)}`);
  }
}


const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const r = (x: number, digits = 3): number => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// 1 + 3. Overhead of one trivial execution through Engine.execute, and its own timing breakdown.
// It never fetches, so it runs on the sync build.

const TRIVIAL = "(function(input){ return { sum: input.a + input.b }; })";
const TRIVIAL_INPUT_SCHEMA = {
  type: "object",
  required: ["a", "b"],
  properties: { a: { type: "number" }, b: { type: "number" } },
};

async function measureOverhead(engine: Engine, bundle: TaskBundle, maxMs: number) {
  const request = { input: { a: 1, b: 2 }, trigger: "cli" as const, fetch: platformFetch };
  for (let i = 0; i < 200; i++) expectStatus(await engine.execute(bundle, request), "completed");

  // Sequential runs: at least 2,000, then until maxMs or 20,000 runs, whichever comes first.
  const samples: number[] = [];
  const results: ExecutionResult[] = [];
  const began = performance.now();
  while (samples.length < 2_000 || (performance.now() - began < maxMs && samples.length < 20_000)) {
    const t0 = performance.now();
    const result = await engine.execute(bundle, request);
    samples.push(performance.now() - t0);
    results.push(result);
  }
  const totalMs = performance.now() - began;
  for (const result of results) expectStatus(result, "completed");
  if ((results[0]?.output as { sum?: number } | undefined)?.sum !== 3) throw new Error("trivial task gave a wrong sum");

  const sorted = [...samples].sort((a, b) => a - b);
  const timings = results.map((x) => x.timings);
  const durations = results.map((x) => x.durationMs);
  const breakdown = {
    inputValidationMs: mean(timings.map((t) => t.inputValidationMs)),
    sandboxMs: mean(timings.map((t) => t.sandboxMs)),
    outputValidationMs: mean(timings.map((t) => t.outputValidationMs)),
    // durationMs minus the three phases: limit resolution, context, JSON.stringify/parse of I/O, result assembly.
    otherInsideExecuteMs: mean(results.map((x) => x.durationMs - x.timings.inputValidationMs - x.timings.sandboxMs - x.timings.outputValidationMs)),
    durationMs: mean(durations),
    guestCpuMsEstimate: mean(timings.map((t) => t.cpuMs)),
  };
  return {
    runs: samples.length,
    totalMs,
    meanMs: mean(samples),
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    executionsPerSecond: (samples.length / totalMs) * 1000,
    breakdown,
  };
}

// ---------------------------------------------------------------------------------------------
// 3b. Each wasm instance builds its runtime, context and prelude once (SandboxInstance.create)
// and every run starts with start(), which copies the snapshot back over what the last run
// left. Measured on bare instances.

async function measureSandboxInstance(build: QuickJSBuild, wasm: WebAssembly.Module) {
  const warm = await SandboxInstance.create(build, wasm, INSTANCE_MEMORY_BYTES); // first instance: lazy wasm compilation
  const creates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await SandboxInstance.create(build, wasm, INSTANCE_MEMORY_BYTES);
    creates.push(performance.now() - t0);
  }
  // Dirty the memory with a small evaluation before each restore, as a run would; only the restore is timed.
  const once = (): number => {
    warm.context.evalCode(`(${TRIVIAL})({ a: 1, b: 2 }).sum`).dispose();
    warm.end();
    const t0 = performance.now();
    warm.start(undefined);
    return performance.now() - t0;
  };
  for (let i = 0; i < 200; i++) once();
  const restores: number[] = [];
  for (let i = 0; i < 2_000; i++) restores.push(once());
  return { createMs: mean(creates), restoreMs: mean(restores), snapshotBytes: warm.snapshotBytes };
}

// ---------------------------------------------------------------------------------------------
// 2. The same function called directly in V8. The accumulator and alternating inputs keep V8
// from folding the loop away; it may still inline the call and elide the allocation, which is
// exactly what a direct call gets to do.

function measureV8() {
  const f = (input: { a: number; b: number }) => ({ sum: input.a + input.b });
  const inputs = [
    { a: 1, b: 2 },
    { a: 3, b: 4 },
  ];
  const loop = (n: number): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += f(inputs[i & 1]!).sum;
    return acc;
  };
  let sink = loop(1_000_000); // warm-up, lets V8 optimise
  const n = 50_000_000;
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    sink += loop(n);
    best.push(((performance.now() - t0) * 1e6) / n);
  }
  if (sink !== 1_000_000 * 5 + n * 5 * 5) throw new Error(`V8 loop gave ${sink}`);
  best.sort((a, b) => a - b);
  return { iterationsPerRound: n, rounds: 5, nsPerCallMedian: best[2]!, nsPerCallMin: best[0]! };
}

// ---------------------------------------------------------------------------------------------
// 4. CPU-budget calibration. Where the clock moves (here), RunGuard charges the real time
// between interrupt polls; only polls between which the clock stood still (production
// Workers) count 1/POLLS_PER_CPU_MS[build] ms each. Two views:
//  a) raw poll rate of each build: a bare QuickJS runtime with our own interrupt handler, so we
//     can count polls per real ms (the engine does not expose its poll count);
//  b) end to end: engine.execute with { cpuMs: 500 }, wall time until CpuLimitError. A busy loop
//     never fetches, so this runs on the sync build.

// Loop bodies run inside a function, as in a task (function locals, not global lexicals).
const BUSY_LOOPS = {
  tightLoop: "let s = 0; for (;;) s++;",
  // Keeps ~100k small objects alive and churns them, so the GC and allocator do most of the work.
  allocationLoop: "let a = []; for (;;) { a.push({ n: a.length, s: 'x' + a.length }); if (a.length > 100000) a = []; }",
  // Long native builtin calls: QuickJS polls every 10,000 poll sites (jumps, calls), whatever each
  // costs, so here a poll comes only every ~10,000 round trips of 100 objects, even where the clock moves.
  builtinLoop: "const o = { a: [1, 2, 3], b: 'x'.repeat(100) }; const arr = []; for (let i = 0; i < 100; i++) arr.push(o); for (;;) JSON.parse(JSON.stringify(arr));",
} as const;

async function measurePollRate(build: QuickJSBuild, wasm: WebAssembly.Module, body: string, runMs: number) {
  const instance = await instantiateQuickJS(build, wasm, 128 * MiB);
  const runFor = (ms: number) => {
    const runtime = instance.module.newRuntime();
    runtime.setMemoryLimit(64 * MiB);
    const context = runtime.newContext();
    let polls = 0;
    let maxGapMs = 0;
    const start = performance.now();
    let last = start;
    runtime.setInterruptHandler(() => {
      const now = performance.now();
      polls += 1;
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      return now - start >= ms;
    });
    const result = context.evalCode(`(function(){ ${body} })()`);
    const elapsedMs = performance.now() - start;
    if (result.error) result.error.dispose();
    else result.value.dispose();
    context.dispose();
    runtime.dispose();
    return { polls, elapsedMs, pollsPerMs: polls / elapsedMs, maxGapBetweenPollsMs: maxGapMs };
  };
  runFor(300); // warm-up: V8 tiers the hot wasm functions up from Liftoff to TurboFan
  await Promise.resolve();
  const measured = runFor(runMs);
  await Promise.resolve();
  return measured;
}

async function measureCpuLimit(engine: Engine, body: string, cpuMs: number) {
  const bundle = await load(engine, `(function(){ ${body} })`);
  const request = { input: {}, trigger: "cli" as const, fetch: platformFetch, limits: { cpuMs } };
  await engine.execute(bundle, { ...request, limits: { cpuMs: 50 } }); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const result = await engine.execute(bundle, request);
    const wallMs = performance.now() - t0;
    expectStatus(result, "failed");
    runs.push({ errorType: result.error?.type, wallMs, sandboxMs: result.timings.sandboxMs, reportedCpuMs: result.timings.cpuMs });
  }
  const sandboxMs = mean(runs.map((x) => x.sandboxMs));
  return {
    cpuLimitMs: cpuMs,
    errorTypes: [...new Set(runs.map((x) => x.errorType))],
    wallMs: mean(runs.map((x) => x.wallMs)),
    sandboxMs,
    reportedCpuMs: mean(runs.map((x) => x.reportedCpuMs)),
    // Real time the guest got per ms of budget: 1 = exact, <1 = stopped early, >1 = ran over.
    realPerBudget: sandboxMs / cpuMs,
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Concurrency: 10 clients, each running back-to-back executions of a task whose one fetch
// waits 50 ms on a local server. Ideal: 10 / 0.05 s = 200 executions/s. The run stops at the
// fetch and is repeated with the answer, so waiting executions hold no sandbox instance.

const CLIENTS = 10;
const UPSTREAM_MS = 50;
const IDEAL_PER_SECOND = CLIENTS / (UPSTREAM_MS / 1000);


async function closedLoop(run: () => Promise<void>, durationMs: number) {
  const latencies: number[] = [];
  const began = performance.now();
  const client = async () => {
    while (performance.now() - began < durationMs) {
      const t0 = performance.now();
      await run();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const totalMs = performance.now() - began;
  const sorted = latencies.sort((a, b) => a - b);
  const perSecond = (latencies.length / totalMs) * 1000;
  return {
    executions: latencies.length,
    totalMs,
    perSecond,
    ratioOfIdeal: perSecond / IDEAL_PER_SECOND,
    latencyP50Ms: percentile(sorted, 50),
    latencyP95Ms: percentile(sorted, 95),
  };
}

/**
 * Closed-loop clients running a task that fetches once: each execution runs twice on the sync
 * build (the first run stops at the fetch, the host makes it with no sandbox held, the second
 * run gets the answer), so no wasm instance waits on the upstream.
 */
async function measureConcurrency(url: string, engine: Engine) {
  const out: Record<string, Awaited<ReturnType<typeof closedLoop>> & { runsPerExecution?: number; asyncifyInstances?: number }> = {};
  // Baseline without the engine: what Node's fetch + the local server give 10 clients.
  await closedLoop(async () => void (await (await fetch(url)).text()), 500);
  out.directNodeFetch = await closedLoop(async () => void (await (await fetch(url)).text()), 3_000);
  const bundle = await load(engine, "(function(input){ var r = fetch(input.url); return { status: r.status, ok: r.body.ok }; })");
  const request = { input: { url }, trigger: "cli" as const, fetch: platformFetch };
  let executions = 0;
  const run = async () => {
    expectStatus(await engine.execute(bundle, request), "completed");
    executions += 1;
  };
  await closedLoop(run, 500);
  const repeatedBefore = engine.poolStats().repeatedRuns;
  executions = 0;
  const measured = await closedLoop(run, 3_000);
  const stats = engine.poolStats();
  out.engine = { ...measured, runsPerExecution: 1 + (stats.repeatedRuns - repeatedBefore) / executions, asyncifyInstances: stats.asyncify.live };
  return out;
}

// ---------------------------------------------------------------------------------------------

function row(label: string, value: string): string {
  return `  ${label.padEnd(50)} ${value}`;
}

async function packageVersion(name: string): Promise<string | undefined> {
  try {
    const text = await readFile(new URL(`../node_modules/${name}/package.json`, import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    // Other work on the machine skews every figure below; a load near cpuCount means noisy numbers.
    loadAverage1m: r(os.loadavg()[0] ?? 0, 2),
    cpuModel: cpus[0]?.model ?? "unknown",
    cpuCount: cpus.length,
    totalMemoryGiB: r(os.totalmem() / 1024 ** 3, 1),
    quickjsBuilds: (
      await Promise.all(BUILDS.map(async (build) => `@jitl/quickjs-wasmfile-release-${build} ${(await packageVersion(`@jitl/quickjs-wasmfile-release-${build}`)) ?? "?"}`))
    ).join(", "),
  };
  console.log("Ratchet engine benchmark");
  for (const [k, v] of Object.entries(environment)) console.log(row(k, String(v)));
  console.log();

  // Cold start: sync wasm compile + first instance + validating main.js + the first run (asyncify
  // is compiled only when a task first fetches).
  const coldStarted = performance.now();
  const engine = createLocalEngine();
  const coldBundle = await load(engine, TRIVIAL, TRIVIAL_INPUT_SCHEMA);
  expectStatus(await engine.execute(coldBundle, { input: { a: 1, b: 2 }, trigger: "cli", fetch: platformFetch }), "completed");
  const coldStartMs = performance.now() - coldStarted;
  const wasm: QuickJSWasm = { sync: await loadWasm("sync"), asyncify: await loadWasm("asyncify") };

  console.log("1. Trivial task through Engine.execute (sync build: it never fetches; sequential, after 200 warm-up runs)");
  const overhead = await measureOverhead(engine, coldBundle, 8_000);
  console.log(row("runs", `${overhead.runs} in ${(overhead.totalMs / 1000).toFixed(1)} s`));
  console.log(row("mean / p50 / p95 / p99 / max (ms)", [overhead.meanMs, overhead.p50Ms, overhead.p95Ms, overhead.p99Ms, overhead.maxMs].map((x) => x.toFixed(3)).join(" / ")));
  console.log(row("executions per second (one caller)", overhead.executionsPerSecond.toFixed(0)));
  console.log(row("cold start (new engine, load, first run)", `${coldStartMs.toFixed(1)} ms`));
  console.log();

  console.log("2. Same function called directly in V8");
  const v8 = measureV8();
  const ratio = (overhead.p50Ms * 1e6) / v8.nsPerCallMedian;
  console.log(row("ns per call (median of 5 x 50M)", v8.nsPerCallMedian.toFixed(2)));
  console.log(row("engine p50 / V8 call", `${ratio.toExponential(2)} x`));
  console.log();

  console.log("3. Where the time goes (mean of ExecutionResult.timings; each value is rounded to 0.01 ms by the engine)");
  const b = overhead.breakdown;
  console.log(row("inputValidationMs", b.inputValidationMs.toFixed(4)));
  console.log(row("sandboxMs", b.sandboxMs.toFixed(4)));
  console.log(row("outputValidationMs", b.outputValidationMs.toFixed(4)));
  console.log(row("other inside execute (durationMs - phases)", b.otherInsideExecuteMs.toFixed(4)));
  console.log(row("durationMs", b.durationMs.toFixed(4)));
  console.log(row("guest cpuMs estimate (RunGuard)", b.guestCpuMsEstimate.toFixed(4)));
  const instances: Record<string, Awaited<ReturnType<typeof measureSandboxInstance>>> = {};
  for (const build of BUILDS) {
    const m = (instances[build] = await measureSandboxInstance(build, wasm[build]));
    console.log(row(`  ${build}: start() restore per run (${(m.snapshotBytes / 1024).toFixed(0)} KiB snapshot)`, `${m.restoreMs.toFixed(4)} ms (mean of 2,000)`));
    console.log(row(`  ${build}: SandboxInstance.create, once per instance`, `${m.createMs.toFixed(2)} ms (mean of 5)`));
  }
  console.log();

  console.log(`4. CPU budget calibration (POLLS_PER_CPU_MS: ${BUILDS.map((build) => `${build} ${POLLS_PER_CPU_MS[build]}`).join(", ")})`);
  const calibration: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(BUSY_LOOPS)) {
    console.log(`  ${name}: ${body}`);
    const pollRate: Record<string, unknown> = {};
    for (const build of BUILDS) {
      const polls = await measurePollRate(build, wasm[build], body, 1_000);
      // On a host whose clock stands still during CPU work, the budget is polls / POLLS_PER_CPU_MS[build].
      const frozenClockRealPerBudget = POLLS_PER_CPU_MS[build] / polls.pollsPerMs;
      pollRate[build] = { ...polls, frozenClockRealPerBudget };
      console.log(row(`  ${build}: interrupt polls per ms (1 s bare run)`, `${polls.pollsPerMs.toFixed(1)} (${polls.polls} polls, longest gap ${polls.maxGapBetweenPollsMs.toFixed(2)} ms)`));
      console.log(row(`  ${build}: real ms per budget ms, frozen clock`, frozenClockRealPerBudget.toFixed(2)));
    }
    const limit = await measureCpuLimit(engine, body, 500);
    calibration[name] = { pollRate, engineSyncWithCpuMs500: limit };
    console.log(row("  engine on sync, cpuMs 500: error", limit.errorTypes.join(", ")));
    console.log(row("  engine on sync, cpuMs 500: real ms in sandbox", `${limit.sandboxMs.toFixed(1)} (wall ${limit.wallMs.toFixed(1)}, guard says ${limit.reportedCpuMs.toFixed(1)})`));
    console.log(row("  engine on sync: real ms per budget ms, this host", `${limit.realPerBudget.toFixed(2)} (target 1.0 ± 0.2)`));
  }
  const realPerBudget = Object.fromEntries(
    Object.entries(calibration).map(([name, c]) => [name, (c as { engineSyncWithCpuMs500: { realPerBudget: number } }).engineSyncWithCpuMs500.realPerBudget]),
  );
  console.log("  (a ratio of 1 means cpuMs matches real time; on a host whose clock stands still during CPU work the guard");
  console.log("   only has polls, counted as 1/POLLS_PER_CPU_MS[build] ms each, so \"frozen clock\" is how much real CPU");
  console.log("   a budget ms allows there)");
  console.log();

  console.log(`5. ${CLIENTS} clients, each running back-to-back executions that fetch a local server answering after ${UPSTREAM_MS} ms (ideal ${IDEAL_PER_SECOND}/s)`);
  const upstream = await startSlowUpstream(UPSTREAM_MS);
  const url = upstream.url;
  let concurrency;
  try {
    concurrency = await measureConcurrency(url, engine);
  } finally {
    await upstream.stop();
  }
  for (const [label, c] of Object.entries(concurrency)) {
    const runs = c.runsPerExecution === undefined ? "" : `, ${c.runsPerExecution.toFixed(2)} runs per execution, ${c.asyncifyInstances} asyncify instances`;
    console.log(row(label, `${c.perSecond.toFixed(1)}/s, ratio ${c.ratioOfIdeal.toFixed(2)}, latency p50 ${c.latencyP50Ms.toFixed(1)} ms p95 ${c.latencyP95Ms.toFixed(1)} ms${runs}`));
  }
  console.log();

  const fetching = concurrency.engine!;
  const summary =
    `engine overhead: ${overhead.p50Ms.toFixed(2)} ms/execution (p50, sync build), ` +
    `CPU budget: ${Object.entries(realPerBudget).map(([name, x]) => `${x.toFixed(2)} real ms per budget ms (${name})`).join(", ")}, ` +
    `~${Number(ratio.toPrecision(2)).toLocaleString("en-US")}× a direct V8 call; ` +
    `${CLIENTS} clients x ${UPSTREAM_MS} ms upstream: ${fetching.perSecond.toFixed(0)}/s (ratio ${fetching.ratioOfIdeal.toFixed(2)} of ideal ${IDEAL_PER_SECOND}/s, ` +
    `plain Node fetch ${concurrency.directNodeFetch!.perSecond.toFixed(0)}/s)`;
  console.log(summary);

  const results = {
    environment,
    overhead: {
      build: "sync",
      coldStartMs: r(coldStartMs, 1),
      runs: overhead.runs,
      meanMs: r(overhead.meanMs, 4),
      p50Ms: r(overhead.p50Ms, 4),
      p95Ms: r(overhead.p95Ms, 4),
      p99Ms: r(overhead.p99Ms, 4),
      maxMs: r(overhead.maxMs, 4),
      executionsPerSecond: r(overhead.executionsPerSecond, 0),
    },
    v8: { ...v8, nsPerCallMedian: r(v8.nsPerCallMedian, 3), nsPerCallMin: r(v8.nsPerCallMin, 3), engineP50Ratio: r(ratio, 0) },
    breakdown: {
      ...Object.fromEntries(Object.entries(b).map(([k, v]) => [k, r(v, 4)])),
      sandboxInstance: instances,
    },
    cpuCalibration: { pollsPerCpuMs: POLLS_PER_CPU_MS, realMsPerBudgetMs: realPerBudget, ...calibration },
    concurrency: { clients: CLIENTS, upstreamMs: UPSTREAM_MS, idealPerSecond: IDEAL_PER_SECOND, ...concurrency },
    summary,
  };
  const outDir = new URL("./results/", import.meta.url);
  await mkdir(outDir, { recursive: true });
  await writeFile(new URL("engine-node.json", outDir), `${JSON.stringify(results, roundNumbers, 2)}\n`);
  console.log(`\nwrote bench/results/engine-node.json`);
}

/** Keeps the JSON readable: no 15-digit floats. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? r(value, 4) : value;
}

await main();
