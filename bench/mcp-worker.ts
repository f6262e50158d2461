/**
 * `npm run bench:mcp-worker`: what the Worker's /mcp costs per call over the REST API, on the
 * built Worker in workerd (`ratchet serve`, local D1 and R2): POST /api/v1/tasks/addition/execute,
 * then ratchet_execute_task through /mcp with the SDK's Client (a fresh MCP server per request, as
 * the Worker serves it), then tools/list (the whole catalogue, built for each request). Median and
 * p95 of RUNS calls each, after a warm-up; writes bench/results/mcp-worker.json.
 * Not a test: nothing here passes or fails.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { buildCli } from "../scripts/build/cli.ts";
import { buildServeWorker } from "../scripts/build/worker.ts";
import { RATE_LIMIT_ENV } from "../src/serve/rate-limits.ts";
import { startServe } from "../test/support/serve-process.ts";
import { measureCalls } from "./support.ts";

setTimeout(() => {
  console.error("bench:mcp-worker: gave up after 170 s");
  process.exit(1);
}, 170_000).unref();

const RUNS = 200;
const WARM_UP = 20;
const ROOT = join(import.meta.dirname, "..");
const INPUT = { num1: 40, num2: 2 };
const measure = (label: string, work: () => Promise<unknown>) => measureCalls(label, work, { runs: RUNS, warmUp: WARM_UP });

await Promise.all([buildCli(ROOT), buildServeWorker(ROOT)]);
const work = await mkdtemp(join(os.tmpdir(), "ratchet-bench-mcp-worker-"));
await mkdir(join(work, "tasks"));
await cp(join(ROOT, "tasks/addition"), join(work, "tasks/addition"), { recursive: true });
// Over a thousand calls in well under a minute: the default client limit (600 per 60 s) would refuse some.
const server = startServe(process.execPath, [join(ROOT, "bin/ratchet.js"), "serve", "--port", "0", "--no-watch"], work, {
  [RATE_LIMIT_ENV.client]: "1000000000",
  [RATE_LIMIT_ENV.token]: "1000000000",
});

try {
  const [, base] = (await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
  await server.waitFor(/1 tasks deployed/, 60_000);

  const rest = await measure("POST /api/v1/tasks/addition/execute", async () => {
    const response = await fetch(`${base}/api/v1/tasks/addition/execute`, { method: "POST", body: JSON.stringify(INPUT) });
    if (response.status !== 200) throw new Error(`REST run failed: ${response.status} ${await response.text()}`);
  });

  const client = new Client({ name: "ratchet-bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  const mcp = await measure("ratchet_execute_task over /mcp", async () => {
    const result = await client.callTool({ name: "ratchet_execute_task", arguments: { task_id_or_path: "addition", input: INPUT } });
    if (result.isError || (result.structuredContent as { status?: string }).status !== "completed") throw new Error(`MCP run failed: ${JSON.stringify(result.content)}`);
  });
  const list = await measure("tools/list over /mcp", () => client.listTools());
  await client.close();

  const results = {
    task: "tasks/addition",
    runs: RUNS,
    warm_up: WARM_UP,
    rest_execute: rest,
    mcp_execute: mcp,
    mcp_tools_list: list,
    overhead_ms: Number((mcp.median_ms - rest.median_ms).toFixed(3)),
    host: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", loadavg_1m: Number(os.loadavg()[0]!.toFixed(2)) },
    measured_at: new Date().toISOString(),
  };
  await writeFile(join(ROOT, "bench/results/mcp-worker.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`ratchet_execute_task over /mcp: ${results.overhead_ms} ms per call over the REST API at the median; wrote bench/results/mcp-worker.json`);
} finally {
  server.child.kill("SIGTERM");
  await server.exited;
  await rm(work, { recursive: true, force: true });
}
