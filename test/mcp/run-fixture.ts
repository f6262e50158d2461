/** A LocalWorkspace on a temp tasks folder behind the MCP server, and small tasks written as files, for the runs, observe and ship tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutionLimits } from "../../src/engine/index.ts";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { startHarness, type Harness } from "./harness.ts";

const engine = createLocalEngine();

export interface RunFixture {
  mcp: Harness;
  workspace: LocalWorkspace;
  tasksDir: string;
  /** Creates a task from its code and, optionally, schemas and metadata fields. */
  task(name: string, code: string, options?: TaskOptions): Promise<void>;
  close(): Promise<void>;
}

export interface TaskOptions {
  input?: object;
  output?: object;
  metadata?: Record<string, unknown>;
}

export async function openRunFixture(options: { limits?: Partial<ExecutionLimits>; url?: string } = {}): Promise<RunFixture> {
  const root = await mkdtemp(join(tmpdir(), "ratchet-mcp-runs-"));
  const tasksDir = join(root, "tasks");
  const workspace = new LocalWorkspace({ tasksDir, engine, config: { ...DEFAULT_CONFIG, limits: options.limits ?? {} }, ...(options.url ? { url: options.url } : {}) });
  const mcp = await startHarness({ workspace });
  return {
    mcp,
    workspace,
    tasksDir,
    async task(name, code, task = {}) {
      const metadata = { uuid: crypto.randomUUID(), version: "1.0.0", label: name, ...task.metadata };
      await workspace.createTask(name, {
        "metadata.json": `${JSON.stringify(metadata, null, 2)}\n`,
        "main.js": code,
        "input.schema.json": JSON.stringify(task.input ?? { type: "object" }),
        "output.schema.json": JSON.stringify(task.output ?? {}),
      });
    },
    async close() {
      await mcp.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
