/**
 * The built `ratchet mcp-serve` as agents meet it: the SDK's real Client over stdio (spawning the CLI)
 * and over Streamable HTTP, playing the guide's agent workflow against a real `ratchet serve` for
 * deploy and schedule, with guest fetches to the 127.0.0.1 upstream.
 */
import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callTool as call, playDevelopmentLoop } from "../support/mcp-workflow.ts";
import { runProcess } from "../support/process.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";
import { resultText } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");
const upstream = inject("upstreamUrl");

let work: string;
let ratchet: ServeProcess;
let ratchetUrl: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-mcp-hosts-"));
  await mkdir(join(work, "serve/tasks"), { recursive: true });
  ratchet = startServe(process.execPath, [BIN, "serve", "--port", "0", "--no-watch"], join(work, "serve"));
  [, ratchetUrl] = (await ratchet.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
}, 120_000);

afterAll(async () => {
  ratchet?.child.kill("SIGTERM");
  await ratchet?.exited;
  await rm(work, { recursive: true, force: true });
});

/** The guide's agent workflow, from an empty tasks folder to a deployed, scheduled task. */
async function playWorkflow(client: Client, task: string): Promise<{ firstRun: string }> {
  const { run } = await playDevelopmentLoop(client, task, upstream);

  const deployed = await call(client, "ratchet_deploy_task", { task_id_or_path: task });
  expect(deployed).toMatchObject({ name: task, status: "created", target: ratchetUrl });
  const remote = (await (await fetch(`${ratchetUrl}/api/v1/run/${task}`, { method: "POST", body: JSON.stringify({ base: upstream, name: "eve" }) })).json()) as unknown;
  expect(remote).toEqual({ greeting: "hello eve", status: 200 });
  const scheduled = await call(client, "ratchet_schedule_task", { task_id: task, cron: "0 7 * * *", input: { base: upstream, name: "ada" } });
  expect(scheduled.schedule).toMatchObject({ task, cron: "0 7 * * *" });
  const schedules = await call(client, "ratchet_list_schedules", { task_id: task });
  expect(schedules.schedules.map((schedule: { id: string }) => schedule.id)).toContain(scheduled.schedule.id);
  return { firstRun: run.execution_id };
}

function stdioClient(tasksDir: string): { client: Client; connect(): Promise<void> } {
  const client = new Client({ name: "ratchet-hosts-test", version: "1.0.0" });
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp-serve", "--transport", "stdio", "--tasks-dir", tasksDir, "--url", ratchetUrl], stderr: "pipe" });
  return { client, connect: () => client.connect(transport) };
}

describe("mcp-serve --transport stdio", () => {
  it("plays the guide's workflow; the history outlives the server and is the CLI's", async () => {
    const tasksDir = join(work, "stdio-tasks");
    const first = stdioClient(tasksDir);
    await first.connect();
    const { firstRun } = await playWorkflow(first.client, "greeter-stdio");
    await first.client.close();

    const second = stdioClient(tasksDir);
    await second.connect();
    const logs = await call(second.client, "ratchet_get_execution_logs", { execution_id: firstRun });
    expect(logs.logs.map((line: { message: string }) => line.message)).toContain("fetched 200");
    await second.client.close();

    // One history for local runs: `ratchet executions` lists what MCP ran.
    const listed = await runProcess(process.execPath, [BIN, "executions", "--tasks-dir", tasksDir, "--trigger", "mcp", "--json"], work);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((run) => run.id)).toContain(firstRun);
  }, 120_000);

  it("lists each deployed task as task_<name> with the deployed toolset, and runs it on the Ratchet", async () => {
    const client = new Client({ name: "ratchet-hosts-test", version: "1.0.0" });
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp-serve", "--toolsets", "runs,deployed", "--tasks-dir", join(work, "deployed-tasks"), "--url", ratchetUrl], stderr: "pipe" });
    await client.connect(transport);
    const tools = (await client.listTools()).tools;
    const tool = tools.find((listed) => listed.name === "task_greeter_stdio");
    expect(tool?.description).toContain("Greets a name through the upstream");
    expect(tool?.inputSchema).toMatchObject({ type: "object", required: ["base", "name"] });
    expect(tool?.outputSchema).toMatchObject({ type: "object", required: ["greeting"] });
    expect(tools.every((listed) => listed.name.startsWith("task_") || listed.name.startsWith("ratchet_"))).toBe(true);
    expect(await call(client, "task_greeter_stdio", { base: upstream, name: "zoe" })).toEqual({ greeting: "hello zoe", status: 200 });
    const failed = (await client.callTool({ name: "task_greeter_stdio", arguments: { base: `${upstream}/status/500?to=`, name: "zoe" } })) as CallToolResult;
    expect(failed.isError).toBe(true);
    const [, executionId] = /execution_id: (\S+)/.exec(resultText(failed)) ?? [];
    expect(resultText(failed)).toMatch(/^task_failed: greeter-stdio: NetworkError: upstream answered 500/);
    const remote = (await (await fetch(`${ratchetUrl}/api/v1/executions/${executionId}`)).json()) as { status: string; trigger: string };
    expect(remote).toMatchObject({ status: "failed" });
    await client.close();
  }, 60_000);

  it("says what is wrong with a bad argument and stays up", async () => {
    const session = stdioClient(join(work, "stdio-bad"));
    await session.connect();
    const outside = (await session.client.callTool({ name: "ratchet_get_task_info", arguments: { task_id_or_path: "../../etc" } })) as CallToolResult;
    expect(outside.isError).toBe(true);
    expect(resultText(outside)).toMatch(/\nhint: /);
    expect((await call(session.client, "ratchet_list_available_tasks", {})).tasks).toEqual([]);
    await session.client.close();
  }, 60_000);
});

describe("mcp-serve start-up", () => {
  it("writes only JSON-RPC on stdout over stdio, diagnostics on stderr", async () => {
    const child = spawn(process.execPath, [BIN, "mcp-serve", "--tasks-dir", join(work, "stdio-raw")], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const lines = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ratchet_get_task_info", arguments: { task_id_or_path: "missing" } } },
      { jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri: "ratchet://guide" } },
    ];
    for (const line of lines) child.stdin.write(`${JSON.stringify(line)}\n`);
    for (let waited = 0; waited < 30_000 && stdout.split("\n").filter(Boolean).length < 3; waited += 50) await new Promise((done) => setTimeout(done, 50));
    child.stdin.end();
    const code = await new Promise((done) => child.on("exit", done));
    expect(code).toBe(0);
    const messages = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { jsonrpc: string; id: number });
    // Answers may come in any order: requests are handled concurrently.
    expect(messages.map((message) => [message.jsonrpc, message.id]).sort()).toEqual([["2.0", 1], ["2.0", 2], ["2.0", 3]]);
    expect(stderr).toMatch(/ratchet mcp \(stdio\): \d+ tools on the tasks in /);
  }, 60_000);

  it("refuses an unknown toolset with the ones there are", async () => {
    const ran = await runProcess(process.execPath, [BIN, "mcp-serve", "--toolsets", "tasks,nope"], work);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('unknown toolset "nope": the toolsets are tasks, runs, tests, observe, ship, deployed');
  });

  it("says so when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done));
    const { port } = taken.address() as AddressInfo;
    try {
      const ran = await runProcess(process.execPath, [BIN, "mcp-serve", "--transport", "http", "--port", String(port)], work);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain(`--port ${port}: something listens there already on 127.0.0.1`);
    } finally {
      taken.close();
    }
  });

  it("takes transport, host and port from the mcp: section of --config", async () => {
    const config = join(work, "mcp-config.yaml");
    await writeFile(config, "mcp:\n  enabled: true\n  transport: http\n  host: 127.0.0.1\n  port: 0\n  auth_type: none\n  max_connections: 4\n  request_timeout: 30\n  rate_limit_per_minute: 100\n");
    const host = startServe(process.execPath, [BIN, "--config", config, "mcp-serve", "--tasks-dir", join(work, "config-tasks")], work);
    try {
      const [, url] = (await host.waitFor(/Streamable HTTP\): (http:\/\/\S+\/mcp)/, 30_000)) as [string, string];
      const client = new Client({ name: "ratchet-hosts-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect((await call(client, "ratchet_list_available_tasks", {})).tasks).toEqual([]);
      await client.close();
    } finally {
      host.child.kill("SIGTERM");
      await host.exited;
    }
  }, 60_000);
});

describe("mcp-serve --transport http", () => {
  let host: ServeProcess;
  let endpoint: string;

  beforeAll(async () => {
    host = startServe(process.execPath, [BIN, "mcp-serve", "--transport", "sse", "--port", "0", "--tasks-dir", join(work, "http-tasks"), "--url", ratchetUrl], work);
    [, endpoint] = (await host.waitFor(/Streamable HTTP\): (http:\/\/\S+\/mcp)/, 30_000)) as [string, string];
  }, 60_000);

  afterAll(() => {
    host?.child.kill("SIGKILL");
  });

  it("says that sse means Streamable HTTP", () => {
    expect(host.log()).toContain("--transport sse means Streamable HTTP");
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it("plays the guide's workflow", async () => {
    const client = new Client({ name: "ratchet-hosts-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
    await playWorkflow(client, "greeter-http");
    await client.close();
  }, 120_000);

  /** A raw POST, so the Host header can be anything. */
  const post = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((done, fail) => {
      const url = new URL(endpoint);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } }, (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => done({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", fail);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: {} }));
    });

  it("refuses a foreign Host or Origin (DNS rebinding), and serves localhost ones", async () => {
    const port = new URL(endpoint).port;
    const badHost = await post({ host: `evil.example:${port}` });
    expect(badHost.status).toBe(403);
    expect(badHost.body).toContain("evil.example");
    const badOrigin = await post({ host: `127.0.0.1:${port}`, origin: "http://evil.example" });
    expect(badOrigin.status).toBe(403);
    expect(badOrigin.body).toContain("Origin");
    for (const hostName of ["127.0.0.1", "localhost"]) {
      const allowed = await post({ host: `${hostName}:${port}`, origin: `http://localhost:${port}` });
      expect(allowed.status, allowed.body).not.toBe(403);
    }
  });

  it("stops on SIGTERM with exit code 0", async () => {
    host.child.kill("SIGTERM");
    expect(await host.exited).toBe(0);
    expect(host.log()).toContain("SIGTERM: stopping");
  });
});
