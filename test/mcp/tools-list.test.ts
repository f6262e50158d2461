import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tool } from "@modelcontextprotocol/server";
import { ALL_TOOLS } from "../../src/mcp/tools/index.ts";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHarness, type Harness } from "./harness.ts";

let dir: string;
let mcp: Harness;
let tools: Tool[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ratchet-mcp-list-"));
  mcp = await startHarness({ workspace: new LocalWorkspace({ tasksDir: join(dir, "tasks"), engine: createLocalEngine(), config: DEFAULT_CONFIG }) });
  tools = (await mcp.client.listTools()).tools;
});
afterAll(async () => {
  await mcp.close();
  await rm(dir, { recursive: true, force: true });
});

/** The JSON after "Example:" in a description: the example call's arguments. */
function exampleOf(description: string): unknown {
  const at = description.lastIndexOf("Example:");
  const text = description.slice(at + "Example:".length).trim();
  const end = text.lastIndexOf("}");
  return JSON.parse(text.slice(0, end + 1));
}

describe("tools/list", () => {
  it("matches the snapshot: names, titles, descriptions, input and output schemas, annotations", async () => {
    const listed = [...tools].sort((a, b) => a.name.localeCompare(b.name)).map(({ name, title, description, inputSchema, outputSchema, annotations }) => ({ name, title, description, inputSchema, outputSchema, annotations }));
    await expect(`${JSON.stringify(listed, null, 2)}\n`).toMatchFileSnapshot("__snapshots__/tools-list.json");
  });

  it("lists every tool of ALL_TOOLS once", () => {
    expect(tools.map((tool) => tool.name).sort()).toEqual(ALL_TOOLS.map((tool) => tool.name).sort());
    expect(new Set(tools.map((tool) => tool.name)).size).toBe(tools.length);
  });

  it("names tools ratchet_<verb> in snake_case, at most 40 characters", () => {
    for (const tool of tools) {
      expect(tool.name).toMatch(/^ratchet_[a-z0-9_]{1,32}$/);
      expect(tool.name.length).toBeLessThanOrEqual(40);
    }
  });

  it("gives every tool a title, all four annotations and an output schema", () => {
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(Object.keys(tool.annotations ?? {}).sort(), tool.name).toEqual(["destructiveHint", "idempotentHint", "openWorldHint", "readOnlyHint", "title"]);
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
  });

  it("describes every tool with an example call that its input schema accepts", () => {
    for (const definition of ALL_TOOLS) {
      expect(definition.description.length, definition.name).toBeGreaterThan(80);
      expect(definition.description, definition.name).toContain("Example:");
      // An example may elide a long part as {...} (a whole bundle document); it is not JSON then.
      if (definition.description.includes("{...}")) continue;
      const parsed = definition.input.safeParse(exampleOf(definition.description));
      expect(parsed.success ? "" : `${definition.name}: ${parsed.error.message}`).toBe("");
    }
  });

  it("marks a tool read-only only when it is neither destructive nor changes anything", () => {
    for (const tool of tools) if (tool.annotations?.readOnlyHint) expect(tool.annotations.destructiveHint, tool.name).toBe(false);
  });
});
