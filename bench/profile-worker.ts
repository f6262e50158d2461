/**
 * `npm run profile:worker`: where the Worker's CPU goes, from V8's sampling profiler in workerd
 * (the inspector Miniflare opens, spoken to over the Chrome DevTools Protocol). The Worker is
 * built and run as bench:worker runs it (bench/worker-build.ts: what `wrangler deploy` uploads,
 * bindings as `ratchet serve` gives them, D1 and R2 in tmpfs).
 *   (default)          10 closed-loop clients on POST /api/v1/run/addition, 2 s warm-up, then a
 *                      profiled window; prints requests/s, workerd CPU per request (all isolates,
 *                      from /proc) and the functions with the most samples, self and inclusive,
 *                      each named with the source module the bundle says it comes from
 *   --task fetch       the same on the bench's fetch task (one fetch of a 50 ms local upstream)
 *   --first-request    the first POST /run/addition of fresh isolates (workerd restarted on a
 *                      database that holds the tasks), with a timeline of what it did when
 *   --isolate NAME     another isolate than the Worker's (the inspector's target id, e.g. d1:db)
 *   --seconds N        length of the profiled window (default 6)
 * Writes each profile to the OS temp folder (open it in Chrome DevTools' Performance panel).
 * A tool for finding costs, not a benchmark: the profiler slows what it watches.
 */
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fetchTaskDocument } from "./fetch-task.ts";
import { startSlowUpstream, type Upstream } from "./support.ts";
import { applyMigrations, buildRatchet, servedBindings, wranglerFacts, type V4Module, type WorkerConfig, type WranglerFacts } from "./worker-build.ts";
import { CLOCK_TICKS_PER_SECOND, sampleProc } from "./workerd-proc.ts";

const { values: args } = parseArgs({
  options: {
    task: { type: "string", default: "addition" },
    "first-request": { type: "boolean", default: false },
    isolate: { type: "string", default: "core:user:ratchet" },
    seconds: { type: "string", default: "6" },
  },
});
if (args.task !== "addition" && args.task !== "fetch") throw new Error(`--task ${args.task}: addition or fetch`);
const CLIENTS = 10;
const SAMPLING_INTERVAL_US = 100;
const FRESH_ISOLATES = 3;
const TOP = 30;

interface Setup {
  modules: V4Module[];
  config: WorkerConfig;
  facts: WranglerFacts;
  buildDir: string;
  stateDir: string;
  secretsKey: string;
}

async function start(setup: Setup): Promise<{ mf: Miniflare; url: string; inspector: string }> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      // Any free port; getInspectorURL() says which.
      inspectorPort: 0,
      resourcePersistencePath: setup.stateDir,
      workers: [
        {
          name: "ratchet",
          modules: setup.modules,
          modulesRoot: setup.buildDir,
          compatibilityDate: setup.facts.compatibilityDate,
          compatibilityFlags: setup.facts.compatibilityFlags,
          unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
          d1Databases: { DB: "ratchet-db" },
          r2Buckets: { BUNDLES: "ratchet-bundles" },
          bindings: servedBindings(setup.config, { poolSize: setup.facts.defaultPoolSize, memoryMb: setup.facts.defaultMemoryMb, secretsKey: setup.secretsKey }),
        },
      ],
    }),
  );
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL("ratchet")).href.replace(/\/$/, "");
  return { mf, url, inspector: (await mf.getInspectorURL()).host };
}

// ---------------------------------------------------------------------------------------------
// The inspector: one WebSocket per isolate, request/response by id.

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

async function inspect(inspector: string, isolate: string) {
  const socket = new WebSocket(`ws://${inspector}/${isolate}`);
  await new Promise((opened, failed) => {
    socket.addEventListener("open", opened);
    socket.addEventListener("error", () => failed(new Error(`no inspector target ${isolate} at ${inspector}`)));
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((done) => {
      const id = ++next;
      pending.set(id, done as (result: unknown) => void);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  return {
    start: () => send("Profiler.start"),
    stop: async () => (await send<{ profile: CpuProfile }>("Profiler.stop")).profile,
    close: () => socket.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a profile: functions by samples, named with the module esbuild's comments give.

/** esbuild marks where each source module starts in the bundle with a `// path` line. */
function moduleMap(bundle: string): { line: number; module: string }[] {
  const starts: { line: number; module: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const match = /^\/\/ ((?:src|node_modules|bench)\/\S+)$/.exec(text);
    if (match) starts.push({ line, module: match[1]! });
  });
  return starts;
}

function labeller(starts: { line: number; module: string }[]) {
  return (node: CpuProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    if (!url.endsWith("index.js")) return /^wasm/.test(name) ? "(QuickJS wasm)" : `${name}${url ? ` [${url.split("/").pop()}]` : ""}`;
    let module = "?";
    for (const start of starts) if (start.line <= lineNumber) module = start.module;
    return `${name} [${module.replace(/^node_modules\//, "")}]`;
  };
}

function summarise(profile: CpuProfile, label: (node: CpuProfileNode) => string): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const sample of profile.samples) {
    const leaf = label(byId.get(sample)!);
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = label(byId.get(id)!);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
      seen.add(name);
    }
  }
  const total = profile.samples.length;
  const print = (title: string, counts: Map<string, number>) => {
    console.log(`\n${title} (% of ${total} samples)`);
    for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${((100 * count) / total).toFixed(1).padStart(6)}  ${name}`);
  };
  print("self", self);
  print("inclusive", inclusive);
}

/** What the isolate did when: runs of samples with the same innermost source module. */
function timeline(profile: CpuProfile, label: (node: CpuProfileNode) => string): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let at = 0;
  let current = "";
  let since = 0;
  const lines: string[] = [];
  profile.samples.forEach((sample, i) => {
    at += profile.timeDeltas[i]! / 1000;
    const module = /\[(.*)\]$/.exec(label(byId.get(sample)!))?.[1] ?? label(byId.get(sample)!);
    if (module === current) return;
    if (current) lines.push(`${since.toFixed(1).padStart(8)}–${at.toFixed(1)} ms  ${current}`);
    current = module;
    since = at;
  });
  if (current) lines.push(`${since.toFixed(1).padStart(8)}–${at.toFixed(1)} ms  ${current}`);
  console.log(lines.filter((line) => !line.endsWith("(idle)")).join("\n"));
}

async function save(profile: CpuProfile, name: string): Promise<void> {
  const file = join(os.tmpdir(), `ratchet-${name}-${Date.now()}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  console.log(`\nprofile written to ${file}`);
}

// ---------------------------------------------------------------------------------------------

async function closedLoop(url: string, body: string, ms: number): Promise<number> {
  let answered = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() - began < ms) {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
        const text = await response.text();
        if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
        answered += 1;
      }
    }),
  );
  return answered;
}

async function underLoad(setup: Setup, label: (node: CpuProfileNode) => string): Promise<void> {
  const { mf, url, inspector } = await start(setup);
  let upstream: Upstream | undefined;
  try {
    await applyMigrations(mf);
    let route = `${url}/api/v1/run/addition`;
    let body = JSON.stringify({ num1: 1, num2: 2 });
    if (args.task === "fetch") {
      upstream = await startSlowUpstream(50);
      const deployed = await fetch(`${url}/api/v1/tasks/bench-fetch`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(fetchTaskDocument()) });
      if (!deployed.ok) throw new Error(`deploying the fetch task: ${deployed.status} ${await deployed.text()}`);
      route = `${url}/api/v1/run/bench-fetch`;
      body = JSON.stringify({ url: upstream.url });
    }
    await closedLoop(route, body, 2_000);
    const profiler = await inspect(inspector, args.isolate);
    const before = await sampleProc();
    await profiler.start();
    const began = performance.now();
    const answered = await closedLoop(route, body, Number(args.seconds) * 1000);
    const seconds = (performance.now() - began) / 1000;
    const profile = await profiler.stop();
    const after = await sampleProc();
    profiler.close();
    const cpu = before && after ? `, workerd ${(((after.workerdTicks - before.workerdTicks) / CLOCK_TICKS_PER_SECOND) * 1000 / answered).toFixed(2)} ms of CPU per request` : "";
    console.log(`${args.task}: ${(answered / seconds).toFixed(0)} requests/s under the profiler, ${CLIENTS} clients${cpu}; isolate ${args.isolate}`);
    summarise(profile, label);
    await save(profile, `${args.task}-${args.isolate.replace(/\W+/g, "-")}`);
  } finally {
    await upstream?.stop();
    await mf.dispose();
  }
}

async function firstRequests(setup: Setup, label: (node: CpuProfileNode) => string): Promise<void> {
  const seed = await start(setup);
  try {
    await applyMigrations(seed.mf);
    // Registers the bundled tasks, as a database that served before holds them.
    await closedLoop(`${seed.url}/api/v1/run/addition`, JSON.stringify({ num1: 1, num2: 2 }), 200);
  } finally {
    await seed.mf.dispose();
  }
  for (let i = 0; i < FRESH_ISOLATES; i++) {
    const { mf, url, inspector } = await start(setup);
    try {
      const profiler = await inspect(inspector, args.isolate);
      await profiler.start();
      const began = performance.now();
      const response = await fetch(`${url}/api/v1/run/addition`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ num1: 1, num2: 2 }) });
      await response.text();
      const firstMs = performance.now() - began;
      const profile = await profiler.stop();
      profiler.close();
      console.log(`\nfresh isolate ${i + 1}: first POST /run/addition ${response.status} in ${firstMs.toFixed(1)} ms under the profiler; what isolate ${args.isolate} ran, from the profile's start:`);
      timeline(profile, label);
      if (i === FRESH_ISOLATES - 1) {
        summarise(profile, label);
        await save(profile, "first-request");
      }
    } finally {
      await mf.dispose();
    }
  }
}

const buildDir = await mkdtemp(join(os.tmpdir(), "ratchet-profile-build-"));
const stateDir = await mkdtemp(join(os.platform() === "linux" ? "/dev/shm" : os.tmpdir(), "ratchet-profile-state-"));
try {
  const { modules, config } = await buildRatchet(buildDir);
  const setup: Setup = { modules, config, facts: await wranglerFacts(), buildDir, stateDir, secretsKey: randomBytes(32).toString("base64") };
  const label = labeller(moduleMap(await readFile(join(buildDir, "index.js"), "utf8")));
  await (args["first-request"] ? firstRequests(setup, label) : underLoad(setup, label));
} finally {
  await rm(buildDir, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
}
