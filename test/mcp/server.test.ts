import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { deployedToolName, deployedToolNames, deployedToolProblem } from "../../src/mcp/deployed.ts";
import { TASK_GUIDE } from "../../src/mcp/guide.ts";
import { MAX_RESULT_BYTES } from "../../src/mcp/result.ts";
import { CallRateLimiter } from "../../src/mcp/limits.ts";
import { defineTool, type ToolDefinition } from "../../src/mcp/tool.ts";
import { ALL_TOOLS } from "../../src/mcp/tools/index.ts";
import { ADDER, openFixture, type Fixture } from "./task-fixture.ts";
import { resultText, startHarness, type Harness } from "./harness.ts";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";

const root = join(import.meta.dirname, "../..");
const engine = createLocalEngine();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fixture(): Promise<Fixture> {
  const fx = await openFixture();
  cleanups.push(() => fx.close());
  return fx;
}

/** A harness with server options of the test's choosing, on a LocalWorkspace over a temp folder. */
async function harness(options: Omit<Parameters<typeof startHarness>[0], "workspace">): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "ratchet-mcp-server-"));
  const mcp = await startHarness({ ...options, workspace: new LocalWorkspace({ tasksDir: join(dir, "tasks"), engine, config: DEFAULT_CONFIG }) });
  cleanups.push(async () => {
    await mcp.close();
    await rm(dir, { recursive: true, force: true });
  });
  return mcp;
}

const annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** Tools beside ALL_TOOLS through the extraTools door (as the Worker adds deployed tasks), to reach the paths no real tool takes on purpose. */
const failing = defineTool({
  name: "ratchet_fail_plainly",
  title: "Fails",
  description: "Throws a TypeError. Example: {}",
  toolset: "runs",
  input: z.object({}),
  output: z.object({}),
  annotations,
  async handler() {
    return (undefined as unknown as { x: { y: number } }).x.y ? {} : {};
  },
});
const huge = defineTool({
  name: "ratchet_answer_hugely",
  title: "Answers hugely",
  description: "Answers with `kb` KB of text. Example: {\"kb\": 100}",
  toolset: "runs",
  input: z.object({ kb: z.number() }),
  output: z.object({ text: z.string() }),
  annotations,
  async handler({ kb }) {
    return { text: "x".repeat(kb * 1024) };
  },
});
const slow = defineTool({
  name: "ratchet_wait_for_abort",
  title: "Waits",
  description: "Waits until its call is cancelled. Example: {}",
  toolset: "runs",
  input: z.object({}),
  output: z.object({ aborted: z.boolean() }),
  annotations,
  handler: (_args, { signal }) => new Promise((resolve) => signal.addEventListener("abort", () => resolve({ aborted: true }))),
});

describe("tool results and errors", () => {
  it("answers structuredContent plus one text block holding the same JSON", async () => {
    const fx = await fixture();
    const result = await fx.mcp.callRaw("ratchet_create_task", ADDER);
    expect(result.isError).toBeFalsy();
    expect(result.content).toHaveLength(1);
    expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);
  });

  it("says which arguments it ignored, as a second text block, so an agent does not believe they took effect", async () => {
    const fx = await fixture();
    await fx.mcp.call("ratchet_create_task", ADDER);
    const result = await fx.mcp.callRaw("ratchet_get_task_info", { task_id_or_path: "adder", auto_backup: true, verify_integrity: "yes" });
    expect(result.isError).toBeFalsy();
    expect(result.content).toHaveLength(2);
    expect((result.content[1] as { text: string }).text).toMatch(/^note: ratchet_get_task_info ignored arguments it does not take: auto_backup, verify_integrity\. It takes: task_id_or_path/);
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
  });

  it("maps a WorkspaceError to isError with its code, message and hint, and lists every problem", async () => {
    const fx = await fixture();
    const missing = await fx.mcp.call("ratchet_get_task_info", { task_id_or_path: "no-such-task" });
    expect(missing).toMatch(/^not_found: .*no-such-task/);
    expect(missing).toMatch(/\nhint: /);
    const invalid = await fx.mcp.call("ratchet_create_task", { ...ADDER, code: "(function(input) { return { sum: input.a + ; })", input_schema: { type: "object", properties: { a: { type: "nonsense" } } } });
    expect(invalid).toMatch(/^invalid: /);
    expect(invalid).toMatch(/problems \(2\):\n/);
    expect(invalid).toMatch(/\n- error: main\.js:1:\d+: SyntaxError/);
    expect(invalid).toMatch(/\n- error: input\.schema\.json:\d+:\d+ \/properties\/a\/type: /);
    expect(existsSync(join(fx.tasksDir, "adder"))).toBe(false);
  });

  it("names each bad argument and what it should be; the server stays up", async () => {
    const fx = await fixture();
    const missing = await fx.mcp.call("ratchet_get_task_info", {});
    expect(missing).toContain("argument `task_id_or_path` is missing: expected string");
    const wrongType = await fx.mcp.call("ratchet_get_task_info", { task_id_or_path: 42 });
    expect(wrongType).toContain("argument `task_id_or_path`: Invalid input: expected string, received number");
    expect(wrongType).toContain("hint: call ratchet_get_task_info again");
    expect((await fx.mcp.call("ratchet_list_available_tasks", {})).tasks).toEqual([]);
  });

  it("answers any other error with a plain message and no stack", async () => {
    const reported: string[] = [];
    const mcp = await harness({ extraTools: [failing], onUnexpectedError: (tool) => reported.push(tool) });
    const text = await mcp.call("ratchet_fail_plainly");
    expect(text).toMatch(/^internal: ratchet_fail_plainly failed: Cannot read properties of undefined/);
    expect(text).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(reported).toEqual(["ratchet_fail_plainly"]);
  });

  it("refuses an answer over the bound with how to ask for less, and passes one under it", async () => {
    const mcp = await harness({ extraTools: [huge] });
    const over = await mcp.callRaw("ratchet_answer_hugely", { kb: 100 });
    expect(over.isError).toBe(true);
    expect(resultText(over)).toMatch(/^too_large: .*over the 80 KB.*\nhint: .*limit.*cursor/s);
    expect(JSON.stringify(over).length).toBeLessThan(MAX_RESULT_BYTES);
    expect((await mcp.call("ratchet_answer_hugely", { kb: 70 })).text).toHaveLength(70 * 1024);
  });

  it("cancels a call that outlives request_timeout, and refuses calls over rate_limit_per_minute", async () => {
    const timed = await harness({ extraTools: [slow], limits: { callTimeoutMs: 50 } });
    expect(await timed.call("ratchet_wait_for_abort")).toMatch(/^timeout: ratchet_wait_for_abort was still running after 0.05 s \(mcp.request_timeout\)/);
    const limited = await harness({ limits: { rateLimiter: new CallRateLimiter(2) } });
    expect((await limited.call("ratchet_list_available_tasks")).tasks).toEqual([]);
    expect((await limited.call("ratchet_list_available_tasks")).tasks).toEqual([]);
    expect(await limited.call("ratchet_list_available_tasks")).toMatch(/^rate_limited: more than 2 tool calls in the last minute.*\nhint: wait \d+ s/s);
  });

  it("aborts the handler's signal when the client cancels the call", async () => {
    const mcp = await harness({ extraTools: [slow] });
    const controller = new AbortController();
    const call = mcp.callRaw("ratchet_wait_for_abort", {}, { signal: controller.signal });
    setTimeout(() => controller.abort("changed my mind"), 20);
    await expect(call).rejects.toThrow();
    expect((await mcp.call("ratchet_list_available_tasks")).tasks).toEqual([]);
  });
});

describe("progress", () => {
  it("sends progress notifications when the client sent a progressToken", async () => {
    const fx = await fixture();
    await fx.mcp.call("ratchet_create_task", ADDER);
    const seen: { progress: number; total?: number }[] = [];
    const report = await fx.mcp.callRaw("ratchet_test_task", { task_id: "adder" }, { onprogress: (p) => seen.push(p) });
    expect(report.isError).toBeFalsy();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toMatchObject({ progress: 2, total: 2 });
  });
});

describe("toolsets and read-only mode", () => {
  const names = (tools: readonly Pick<ToolDefinition, "name">[]) => tools.map((tool) => tool.name).sort();

  it("lists every tool but deployed ones by default", async () => {
    const mcp = await harness({});
    expect(names((await mcp.client.listTools()).tools)).toEqual(names(ALL_TOOLS));
  });

  it("lists only the chosen toolsets' tools", async () => {
    const mcp = await harness({ toolsets: ["tests", "ship"] });
    const listed = names((await mcp.client.listTools()).tools);
    expect(listed).toEqual(names(ALL_TOOLS.filter((tool) => tool.toolset === "tests" || tool.toolset === "ship")));
    expect(listed.length).toBeGreaterThan(0);
  });

  it("read-only mode lists only readOnlyHint tools and refuses the others", async () => {
    const mcp = await harness({ readOnly: true });
    const listed = (await mcp.client.listTools()).tools;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
    expect(names(listed)).toEqual(names(ALL_TOOLS.filter((tool) => tool.annotations.readOnlyHint)));
    await expect(mcp.callRaw("ratchet_create_task", ADDER)).rejects.toThrow(/ratchet_create_task/);
  });
});

describe("resources", () => {
  it("serves the guide as shipped, byte for byte", async () => {
    const mcp = await harness({});
    const read = await mcp.client.readResource({ uri: "ratchet://guide" });
    expect(read.contents[0]).toMatchObject({ uri: "ratchet://guide", mimeType: "text/markdown" });
    expect((read.contents[0] as { text: string }).text).toBe(await readFile(join(root, "docs/ratchet-task-guide.md"), "utf8"));
  });

  it("lists and reads task files, tests in their folder too, and executions", async () => {
    const fx = await fixture();
    await fx.mcp.call("ratchet_create_task", ADDER);
    const { resources } = await fx.mcp.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toEqual(expect.arrayContaining(["ratchet://guide", "ratchet://tasks/adder/main.js", "ratchet://tasks/adder/tests/small.json"]));
    const main = await fx.mcp.client.readResource({ uri: "ratchet://tasks/adder/main.js" });
    expect((main.contents[0] as { text: string }).text).toBe(ADDER.code);
    const test = await fx.mcp.client.readResource({ uri: "ratchet://tasks/adder/tests/small.json" });
    expect(JSON.parse((test.contents[0] as { text: string }).text)).toEqual(ADDER.test_cases[0]);
    await expect(fx.mcp.client.readResource({ uri: "ratchet://tasks/adder/nope.js" })).rejects.toThrow(/no file nope\.js/);

    const run = await fx.mcp.workspace.execute("adder", { a: 2, b: 3 }, { trigger: "mcp" });
    expect((await fx.mcp.client.listResources()).resources.map((resource) => resource.uri)).toContain(`ratchet://executions/${run.id}`);
    const record = await fx.mcp.client.readResource({ uri: `ratchet://executions/${run.id}` });
    expect(JSON.parse((record.contents[0] as { text: string }).text)).toMatchObject({ id: run.id, task: "adder", status: "completed", output: { sum: 5 } });
  });
});

describe("develop_task prompt", () => {
  it("walks through the workflow for the goal, naming only tools that exist", async () => {
    const mcp = await harness({});
    expect((await mcp.client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(["develop_task"]);
    const prompt = await mcp.client.getPrompt({ name: "develop_task", arguments: { goal: "convert Celsius to Fahrenheit" } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain("convert Celsius to Fahrenheit");
    const named = new Set(text.match(/ratchet_[a-z0-9_]+/g));
    expect(named.size).toBeGreaterThan(15);
    expect([...named].filter((name) => !ALL_TOOLS.some((tool) => tool.name === name))).toEqual([]);
  });
});

describe("the vendored guide", () => {
  const spec = join(root, "../shared/spec/ratchet-task-guide.md");
  it.runIf(existsSync(spec))("equals the spec's guide", async () => {
    expect(TASK_GUIDE).toBe(await readFile(spec, "utf8"));
  });
});

describe("deployed tasks as tools", () => {
  it("names them task_<name> in the characters clients take, at most 40, distinct, and leaves out what cannot be a tool", () => {
    expect(deployedToolName("weather-api")).toBe("task_weather_api");
    const long = deployedToolName("x".repeat(36));
    expect(long).toMatch(/^task_x{26}_[0-9a-f]{8}$/);
    expect(deployedToolName("x".repeat(36))).toBe(long);
    const names = deployedToolNames(["a.b", "a_b", "a-b"]);
    expect(names.get("a-b")).toBe("task_a_b");
    expect(new Set(names.values()).size).toBe(3);
    expect([...names.values()].every((name) => /^[a-zA-Z0-9_-]{1,40}$/.test(name))).toBe(true);
    expect(deployedToolNames(["a_b", "a-b", "a.b"])).toEqual(names);
    expect(deployedToolProblem({ name: "ok", input_schema: { type: "object" }, output_schema: {} })).toBeUndefined();
    expect(deployedToolProblem({ name: "list", input_schema: { type: "array" }, output_schema: {} })).toMatch(/does not describe an object/);
    expect(deployedToolProblem({ name: "y".repeat(40), input_schema: {}, output_schema: {} })).toBeUndefined();
  });
});
