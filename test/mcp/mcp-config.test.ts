import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startMcpHttp } from "../../src/mcp/hosts/http.ts";
import { createRatchetMcpServer } from "../../src/mcp/server.ts";
import { defineTool } from "../../src/mcp/tool.ts";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { loadMcpConfig } from "../../src/ops/mcp-config.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ratchet-mcp-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const configFile = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

describe("the mcp: section of mcp-config.yaml", () => {
  it("reads the guide's example as written", async () => {
    const path = await configFile(
      "guide.yaml",
      "# mcp-config.yaml\nmcp:\n  enabled: true\n  transport: sse\n  host: localhost\n  port: 3001\n  auth_type: none\n  max_connections: 10\n  request_timeout: 30\n  rate_limit_per_minute: 100\n",
    );
    expect(await loadMcpConfig(path)).toEqual({ enabled: true, transport: "sse", host: "localhost", port: 3001, auth_type: "none", max_connections: 10, request_timeout: 30, rate_limit_per_minute: 100 });
  });

  it("leaves other sections to the commands that read them", async () => {
    expect(await loadMcpConfig(await configFile("other.yaml", "execution:\n  max_execution_duration: 5\n"))).toEqual({});
  });

  it("refuses what it cannot honour, saying where and why", async () => {
    await expect(loadMcpConfig(await configFile("auth.yaml", "mcp:\n  auth_type: bearer\n"))).rejects.toThrow(/\/mcp\/auth_type: .*only none.*Worker's \/mcp/);
    await expect(loadMcpConfig(await configFile("port.yaml", "mcp:\n  port: 70000\n"))).rejects.toThrow(/\/mcp\/port/);
    await expect(loadMcpConfig(await configFile("typo.yaml", "mcp:\n  max_conections: 3\n"))).rejects.toThrow(/max_conections/);
    await expect(loadMcpConfig(join(dir, "missing.yaml"))).rejects.toThrow(/cannot read --config/);
  });
});

describe("max_connections on the HTTP host", () => {
  it("answers 503 while the bound is reached, and serves again after", async () => {
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    const hold = defineTool({
      name: "ratchet_hold",
      title: "Holds",
      description: "Waits until the test releases it. Example: {}",
      toolset: "runs",
      input: z.object({}),
      output: z.object({ done: z.boolean() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async () => (await held, { done: true }),
    });
    const workspace = new LocalWorkspace({ tasksDir: join(dir, "tasks"), engine: createLocalEngine(), config: DEFAULT_CONFIG });
    const host = await startMcpHttp({ factory: () => createRatchetMcpServer({ workspace, extraTools: [hold] }), host: "127.0.0.1", port: 0, maxConnections: 1, onError: () => {} });
    const rpc = (method: string, params: unknown) =>
      fetch(host.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
    try {
      const first = rpc("tools/call", { name: "ratchet_hold", arguments: {} });
      let busy: Response | undefined;
      for (let attempt = 0; attempt < 50 && busy?.status !== 503; attempt++) busy = await rpc("ping", {});
      expect(busy?.status).toBe(503);
      expect(busy?.headers.get("retry-after")).toBe("1");
      expect(await busy?.text()).toContain("mcp.max_connections");
      release();
      expect((await first).status).toBe(200);
      expect((await rpc("ping", {})).status).toBe(200);
    } finally {
      release();
      await host.close();
    }
  });
});
