import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../src/mcp/tools/index.ts";

const root = join(import.meta.dirname, "../..");
const readme = await readFile(join(root, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## MCP server (for agents)"), readme.indexOf("## Performance"));

describe("the README's MCP section", () => {
  it("has one table row per tool, with its toolset and whether it is read-only", () => {
    const rows = [...section.matchAll(/^\| `(ratchet_[a-z0-9_]+)` \| (\w+) \| (yes|no) \| .+ \|$/gm)].map(([, name, toolset, readOnly]) => ({ name, toolset, readOnly: readOnly === "yes" }));
    const tools = ALL_TOOLS.map((tool) => ({ name: tool.name, toolset: tool.toolset, readOnly: tool.annotations.readOnlyHint }));
    expect(rows.sort((a, b) => a.name!.localeCompare(b.name!))).toEqual(tools.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it("accounts for every tool the guide names: provided as ratchet_<verb>, or listed as not provided", async () => {
    const guide = await readFile(join(root, "docs/ratchet-task-guide.md"), "utf8");
    const notProvided = section.slice(section.indexOf("### Guide tools not provided"));
    const verbs = new Set([...guide.matchAll(/ratchet\.([a-z_]+)/g)].map(([, verb]) => verb!));
    const unaccounted = [...verbs].filter((verb) => !ALL_TOOLS.some((tool) => tool.name === `ratchet_${verb}`) && !notProvided.includes(`\`ratchet.${verb}\``));
    expect(unaccounted).toEqual([]);
  });

  it("counts the tools it quotes", () => {
    expect(section).toContain(`are on by default (${ALL_TOOLS.length} tools)`);
    const coding = ALL_TOOLS.filter((tool) => ["tasks", "runs", "tests"].includes(tool.toolset)).length;
    expect(section).toContain(`\`tasks,runs,tests\` (${coding} tools)`);
  });
});
