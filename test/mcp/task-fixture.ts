/** A real LocalWorkspace on a temp tasks folder behind the MCP server, for the tasks and tests tool tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { startHarness, type Harness } from "./harness.ts";

const engine = createLocalEngine();

export interface Fixture {
  mcp: Harness;
  tasksDir: string;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), "ratchet-mcp-tasks-"));
  const tasksDir = join(root, "tasks");
  const mcp = await startHarness({ workspace: new LocalWorkspace({ tasksDir, engine, config: DEFAULT_CONFIG }) });
  return {
    mcp,
    tasksDir,
    async close() {
      await mcp.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** create_task arguments of a small valid task: adds a and b; a negative sum is refused with a DataError. */
export const ADDER = {
  name: "adder",
  description: "Adds two numbers",
  tags: ["math"],
  code: `(function(input) {
  var sum = input.a + input.b;
  if (sum < 0) throw new DataError("the sum is negative");
  return { sum: sum };
})
`,
  input_schema: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["a", "b"],
    additionalProperties: false,
    properties: { a: { type: "number", minimum: -100, maximum: 100 }, b: { type: "number" } },
  },
  output_schema: { type: "object", required: ["sum"], properties: { sum: { type: "number" } } },
  test_cases: [
    { name: "small", input: { a: 1, b: 2 }, expected_output: { sum: 3 } },
    { name: "negative", input: { a: -5, b: 1 }, expected_error: { type: "DataError" } },
  ],
};
