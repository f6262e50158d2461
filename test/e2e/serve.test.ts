import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_ENV } from "../../src/serve/rate-limits.ts";
import { alive, descendants, startServe, type ServeProcess } from "../support/serve-process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");
// The built CLI on the machine's Node (20), as an installed package runs it (install.test.ts runs the installed one).
const NODE = "/usr/bin/node";

let work: string;
let server: ServeProcess;
let base: string;

/** Small enough for a test to reach, large enough for the other tests' runs (the watch test's loop included). */
const CLIENT_LIMIT = 250;

const run = (name: string, input: unknown) => fetch(`${base}/api/v1/run/${name}`, { method: "POST", body: JSON.stringify(input) });

/** `ratchet serve` in a folder that holds only tasks/ with one sample task. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-serve-"));
  await cp(join(ROOT, "tasks/addition"), join(work, "tasks/addition"), { recursive: true });
  server = startServe(NODE, [BIN, "serve", "--port", "0"], work, { [RATE_LIMIT_ENV.client]: String(CLIENT_LIMIT) });
  [, base] = (await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
  await server.waitFor(/watching /, 60_000);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("ratchet serve", () => {
  it("prints what it serves and applies the migrations into ./.ratchet/state", () => {
    expect(server.log()).toContain(`REST API  ${base}/api/v1`);
    expect(server.log()).toContain(`health    ${base}/health`);
    expect(server.log()).toContain(`metrics   ${base}/metrics`);
    expect(server.log()).toContain(`MCP       ${base}/mcp`);
    expect(server.log()).toContain(`with local D1 and R2 in ${join(work, ".ratchet/state")}`);
    expect(server.log()).toMatch(/applied migrations 0000_init\.sql, /);
    expect(server.log()).toContain("1 tasks deployed: addition");
    expect(server.log()).toContain("Ratchet: tasks may fetch loopback addresses (127.0.0.0/8, ::1, localhost) and the public internet");
  });

  it("serves the task folder over HTTP, and none of the Worker's built-in sample tasks", async () => {
    const response = await run("addition", { num1: 40, num2: 2 });
    expect(await response.json()).toEqual({ sum: 42 });
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const listed = (await (await fetch(`${base}/api/v1/tasks`)).json()) as { tasks: { name: string }[] };
    expect(listed.tasks.map((t) => t.name)).toEqual(["addition"]);
  });

  it("serves MCP at /mcp from the built Worker (workerd without nodejs_compat): the SDK's Client runs a task there", async () => {
    const client = new Client({ name: "ratchet-serve-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const result = (await client.callTool({ name: "ratchet_execute_task", arguments: { task_id_or_path: "addition", input: { num1: 1, num2: 2 } } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: "completed", output: { sum: 3 } });
    await client.close();
  });

  it("deploys main.js again when it changes, under a development version when metadata.json keeps its version", async () => {
    const file = join(work, "tasks/addition/main.js");
    await writeFile(file, (await readFile(file, "utf8")).replace("num1 + num2", "num1 + num2 + 1000"));
    let output: unknown;
    for (let attempt = 0; attempt < 100; attempt++) {
      output = await (await run("addition", { num1: 40, num2: 2 })).json();
      if ((output as { sum: number }).sum !== 42) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(output).toEqual({ sum: 1042 });
    expect(server.log()).toMatch(/addition: created \(version 1\.0\.0\+dev\.[0-9a-f]{12}, sha256:/);
  });

  it("reports an invalid folder with its problems and skips it, serving on", async () => {
    await mkdir(join(work, "tasks/broken"));
    await writeFile(join(work, "tasks/broken/metadata.json"), '{"uuid": ');
    await server.waitFor(/broken: skipped: /, 30_000);
    expect(server.log()).toMatch(/broken: .*metadata\.json:1:\d+: Invalid JSON/);
    expect(server.log()).toMatch(/broken: .*main\.js: File is missing/);
    expect((await run("addition", { num1: 1, num2: 1 })).status).toBe(200);
  });

  it("counts runs against the client limit in the Worker's isolate (no Rate Limiting binding locally) and refuses the one over it with 429", async () => {
    expect(server.log()).toContain(`Ratchet: rate limits on runs, /mcp and /graphql: ${CLIENT_LIMIT} per 60 s per client address`);
    let accepted = 0;
    let refused: Response | undefined;
    // Two windows' worth at most: the fixed 60 s window may roll over once while this runs.
    for (let i = 0; i < 2 * CLIENT_LIMIT + 2 && !refused; i++) {
      const response = await run("addition", { num1: 1, num2: 1 });
      if (response.status === 429) refused = response;
      else {
        expect(response.status).toBe(200);
        await response.body?.cancel();
        accepted += 1;
      }
    }
    expect(refused, "no run was refused").toBeDefined();
    expect(accepted).toBeLessThanOrEqual(2 * CLIENT_LIMIT);
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused!.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toContain(`${CLIENT_LIMIT} requests per 60 s`);
    // Counting in the isolate is what serve chose: no warning about a missing binding.
    expect(server.log()).not.toContain("binding in this runtime");
  }, 120_000);

  it("stops with every process it started on SIGTERM; the state folder keeps the tasks and every answered run's record for the next start", async () => {
    const tree = descendants(server.child.pid!);
    expect(tree.length).toBeGreaterThan(0);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.log()).toContain("SIGTERM: stopping");
    expect(tree.filter(alive)).toEqual([]);

    const elsewhere = await mkdtemp(join(tmpdir(), "ratchet-serve-again-"));
    const answered: string[] = [];
    const again = startServe(NODE, [BIN, "serve", "--port", "0", "--no-watch", "--state-dir", join(work, ".ratchet/state")], elsewhere);
    try {
      const [, url] = (await again.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
      await again.waitFor(/no tasks folder/, 30_000);
      expect(again.log()).not.toContain("applied migrations");
      const response = await fetch(`${url}/api/v1/run/addition`, { method: "POST", body: JSON.stringify({ num1: 40, num2: 2 }) });
      expect(await response.json()).toEqual({ sum: 1042 });
      // Runs answer before their records are written here; stopping right after still keeps every one.
      const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${url}/api/v1/run/addition`, { method: "POST", body: JSON.stringify({ num1: i, num2: 0 }) })));
      expect(burst.map((r) => r.status)).toEqual(burst.map(() => 200));
      answered.push(...burst.map((r) => r.headers.get("x-ratchet-execution-id")!));
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }

    const third = startServe(NODE, [BIN, "serve", "--port", "0", "--no-watch", "--state-dir", join(work, ".ratchet/state")], elsewhere);
    try {
      const [, url] = (await third.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
      const listed = (await (await fetch(`${url}/api/v1/executions?task=addition&limit=100`)).json()) as { executions: { id: string }[] };
      expect(answered.filter((id) => !listed.executions.some((e) => e.id === id))).toEqual([]);
    } finally {
      third.child.kill("SIGTERM");
      await third.exited;
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 180_000);
});
