/**
 * What the local workspace adds to a run, and what its history costs to read: median ms of
 * engine.execute alone, workspace.execute without and with a history record, and listing and
 * reading a full history (HISTORY_LIMIT records). Run: node bench/local-workspace.ts
 * (A store remembers the summaries it has read: only a cold listing reads every file.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../src/ops/config.ts";
import { platformFetch } from "../src/ops/io.ts";
import { createLocalEngine } from "../src/ops/local-engine.ts";
import { HISTORY_LIMIT } from "../src/ops/workspace/history.ts";
import { LocalWorkspace } from "../src/ops/workspace/local-workspace.ts";
import { percentile } from "./support.ts";

const RUNS = 200;
const json = (value: unknown) => JSON.stringify(value, null, 2);
const files = {
  "metadata.json": json({ uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "Bench" }),
  "main.js": "(function(input) { console.log('hi'); return { greeting: 'hello ' + input.name }; })",
  "input.schema.json": json({ type: "object", properties: { name: { type: "string" }, apiKey: { type: "string" } } }),
  "output.schema.json": json({ type: "object" }),
};

async function median(label: string, runs: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  console.log(`${label.padEnd(52)} p50 ${p50.toFixed(3)} ms  p95 ${percentile(times, 95).toFixed(3)} ms  (n=${runs})`);
  return p50;
}

const root = await mkdtemp(join(tmpdir(), "ratchet-bench-ws-"));
try {
  const engine = createLocalEngine();
  const workspace = new LocalWorkspace({ tasksDir: join(root, "tasks"), engine, config: DEFAULT_CONFIG });
  await workspace.createTask("bench", files);
  const { document } = await workspace.getTask("bench");
  const input = { name: "x", apiKey: "k" };
  const bundle = document as Parameters<typeof engine.execute>[0];
  for (let i = 0; i < 20; i++) await engine.execute(bundle, { input, trigger: "mcp", fetch: platformFetch });

  const direct = await median("engine.execute (bundle in memory)", RUNS, () => engine.execute(bundle, { input, trigger: "mcp", fetch: platformFetch }));
  const unrecorded = await median("workspace.execute, record: false (reads + validates)", RUNS, () => workspace.execute("bench", input, { trigger: "mcp", record: false }));
  // Fill the history to its bound so the recorded runs also prune.
  for (let i = 0; i < HISTORY_LIMIT; i++) await workspace.execute("bench", input, { trigger: i % 10 === 0 ? "cli" : "mcp" });
  const recorded = await median(`workspace.execute, recorded (history at ${HISTORY_LIMIT})`, RUNS, () => workspace.execute("bench", input, { trigger: "mcp" }));
  const [newest] = (await workspace.listExecutions({ limit: 1 })).items;
  await median("listExecutions limit 50", 50, () => workspace.listExecutions({ limit: 50 }));
  await median("listExecutions trigger cli (1 in 10), limit 50", 50, () => workspace.listExecutions({ trigger: "cli", limit: 50 }));
  await median("listExecutions task absent (reads all)", 20, () => workspace.listExecutions({ task: "none" }));
  await median("listExecutions task absent, cold (a new store, as the CLI)", 10, () => new LocalWorkspace({ tasksDir: join(root, "tasks"), engine, config: DEFAULT_CONFIG }).listExecutions({ task: "none" }));
  await median("getExecution", RUNS, () => workspace.getExecution(newest!.id));
  console.log(`overhead over engine.execute: ${(unrecorded - direct).toFixed(3)} ms unrecorded, ${(recorded - direct).toFixed(3)} ms recorded`);
} finally {
  await rm(root, { recursive: true, force: true });
}
