/**
 * `npm run bench:mcp`: what `ratchet_execute_task` over stdio adds to a direct engine call of the
 * same task. The MCP server is the built CLI (`ratchet mcp-serve --transport stdio`), driven by the
 * SDK's Client as an agent's host drives it; in between, the same run through the LocalWorkspace in
 * this process (loading the folder, writing the history record) splits the overhead into workspace
 * and protocol. Median and p95 of RUNS calls each, after a warm-up; writes bench/results/mcp-stdio.json.
 * Not a test: nothing here passes or fails.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { buildCli } from "../scripts/build/cli.ts";
import { DEFAULT_CONFIG } from "../src/ops/config.ts";
import { platformFetch } from "../src/ops/io.ts";
import { createLocalEngine } from "../src/ops/local-engine.ts";
import { readTaskFolder } from "../src/ops/task-folder.ts";
import { LocalWorkspace } from "../src/ops/workspace/local-workspace.ts";
import { measureCalls } from "./support.ts";

setTimeout(() => {
  console.error("bench:mcp: gave up after 170 s");
  process.exit(1);
}, 170_000).unref();

const RUNS = 300;
const WARM_UP = 30;
const ROOT = join(import.meta.dirname, "..");
const INPUT = { num1: 40, num2: 2 };
const measure = (label: string, work: () => Promise<unknown>) => measureCalls(label, work, { runs: RUNS, warmUp: WARM_UP });

await buildCli(ROOT);
const work = await mkdtemp(join(os.tmpdir(), "ratchet-bench-mcp-"));
const tasksDir = join(work, "tasks");
await mkdir(tasksDir);
await cp(join(ROOT, "tasks/addition"), join(tasksDir, "addition"), { recursive: true });

try {
  const engine = createLocalEngine();
  const files = await readTaskFolder(join(tasksDir, "addition"));
  const loaded = await engine.loadFiles(files);
  if (!loaded.ok) throw new Error(`addition did not load: ${JSON.stringify(loaded.problems)}`);
  const bundle = loaded.bundle;
  const direct = await measure("engine.execute (direct)", async () => {
    const result = await engine.execute(bundle, { input: INPUT, trigger: "cli", fetch: platformFetch });
    if (result.status !== "completed") throw new Error(`direct run failed: ${JSON.stringify(result.error)}`);
  });

  const workspace = new LocalWorkspace({ tasksDir, engine, config: DEFAULT_CONFIG });
  const viaWorkspace = await measure("LocalWorkspace.execute (in process, recorded)", async () => {
    const record = await workspace.execute("addition", INPUT, { trigger: "mcp" });
    if (record.status !== "completed") throw new Error(`workspace run failed: ${JSON.stringify(record.error)}`);
  });

  const client = new Client({ name: "ratchet-bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(ROOT, "bin/ratchet.js"), "mcp-serve", "--transport", "stdio", "--tasks-dir", tasksDir], stderr: "ignore" }));
  const viaStdio = await measure("ratchet_execute_task over stdio (MCP)", async () => {
    const result = await client.callTool({ name: "ratchet_execute_task", arguments: { task_id_or_path: "addition", input: INPUT } });
    if (result.isError || (result.structuredContent as { status?: string }).status !== "completed") throw new Error(`MCP run failed: ${JSON.stringify(result.content)}`);
  });
  await client.close();

  const overhead = Number((viaStdio.median_ms - direct.median_ms).toFixed(3));
  const results = {
    task: "tasks/addition",
    runs: RUNS,
    warm_up: WARM_UP,
    direct,
    workspace: viaWorkspace,
    mcp_stdio: viaStdio,
    overhead_ms: { total: overhead, workspace: Number((viaWorkspace.median_ms - direct.median_ms).toFixed(3)), protocol_and_stdio: Number((viaStdio.median_ms - viaWorkspace.median_ms).toFixed(3)) },
    host: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", loadavg_1m: Number(os.loadavg()[0]!.toFixed(2)) },
    measured_at: new Date().toISOString(),
  };
  await writeFile(join(ROOT, "bench/results/mcp-stdio.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`overhead of ratchet_execute_task over stdio: ${overhead} ms per call at the median (workspace ${results.overhead_ms.workspace} ms, protocol and stdio ${results.overhead_ms.protocol_and_stdio} ms); wrote bench/results/mcp-stdio.json`);
} finally {
  await rm(work, { recursive: true, force: true });
}
