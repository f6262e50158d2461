import { inject, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRunFixture, type RunFixture } from "./run-fixture.ts";

const upstream = inject("upstreamUrl");
let fx: RunFixture;
beforeEach(async () => {
  fx = await openRunFixture();
});
afterEach(() => fx.close());

const call = (name: string, args: Record<string, unknown>) => fx.mcp.call(name, args);

const GREET = `(function(input, context) {
  console.info("greeting " + input.name);
  var response = fetch("${upstream}/json?name=" + encodeURIComponent(input.name));
  if (!response.ok) throw new NetworkError("status " + response.status);
  return { greeting: "hello " + response.body.query.name, trigger: context.trigger };
})
`;
const NAME_SCHEMA = { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1 } } };
const GREETING_SCHEMA = { type: "object", required: ["greeting"], properties: { greeting: { type: "string" } } };

describe("ratchet_execute_task", () => {
  it("runs the task with its guest fetch, answering output, execution_id, logs, trace and timings, recorded with trigger mcp", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const result = await call("ratchet_execute_task", { task_id_or_path: "greet", input: { name: "Ada" }, trace: true });
    expect(result).toMatchObject({ task: "greet", version: "1.0.0", status: "completed", output: { greeting: "hello Ada", trigger: "mcp" }, error: null, log_lines: 1, http_requests: 1 });
    expect(result.logs).toEqual([expect.objectContaining({ level: "info", message: "greeting Ada" })]);
    expect(result.http).toEqual([expect.objectContaining({ method: "GET", url: `${upstream}/json?name=Ada`, status: 200 })]);
    expect(result.timings).toEqual(expect.objectContaining({ inputValidationMs: expect.any(Number), sandboxMs: expect.any(Number), cpuMs: expect.any(Number) }));
    expect(result.resource).toBe(`ratchet://executions/${result.execution_id}`);
    expect((await fx.workspace.getExecution(result.execution_id)).trigger).toBe("mcp");
  });

  it("answers a failed run as a typed error, not a tool error; an unknown task is a tool error saying what to do", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const failed = await call("ratchet_execute_task", { task_id_or_path: "greet", input: { name: "" } });
    expect(failed).toMatchObject({ status: "failed", output: null, error: { type: "InputSchemaError" } });
    expect(failed.http).toBeUndefined();
    expect(await call("ratchet_execute_task", { task_id_or_path: "nope", input: {} })).toMatch(/not_found/);
  });
});

describe("ratchet_execute_task_batch", () => {
  it("runs many inputs at a bounded parallelism, in order, with progress notifications", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const progress: number[] = [];
    const raw = await fx.mcp.callRaw(
      "ratchet_execute_task_batch",
      { task_id_or_path: "greet", inputs: [{ name: "a" }, { name: "b" }, { name: "" }, { name: "d" }], parallel: 2 },
      { onprogress: (p) => progress.push(p.progress) },
    );
    const result = raw.structuredContent as any;
    expect(result.summary).toEqual({ total: 4, completed: 3, failed: 1, refused: 0, cancelled: 0 });
    expect(result.results.map((r: any) => [r.index, r.status, r.output?.greeting ?? r.error?.type])).toEqual([
      [0, "completed", "hello a"],
      [1, "completed", "hello b"],
      [2, "failed", "InputSchemaError"],
      [3, "completed", "hello d"],
    ]);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it("keeps the answer small: large outputs are left out, and marked", async () => {
    await fx.task("wide", `(function(input) { return { text: "x".repeat(input.size) }; })`);
    const result = await call("ratchet_execute_task_batch", { task_id_or_path: "wide", inputs: [{ size: 3000 }, ...Array.from({ length: 60 }, () => ({ size: 1500 }))] });
    expect(result.summary.completed).toBe(61);
    expect(result.results[0]).toMatchObject({ output: null, output_omitted: true });
    expect(result.results[1].output.text).toHaveLength(1500);
    const omitted = result.results.filter((r: any) => r.output_omitted).length;
    expect(omitted).toBeGreaterThan(1);
    expect(omitted).toBeLessThan(61);
    expect(JSON.stringify(result).length).toBeLessThan(80_000);
  });

  it("runs different tasks, an unknown one refused alone; bad arguments are a tool error", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const result = await call("ratchet_execute_task_batch", {
      runs: [
        { task_id_or_path: "greet", input: { name: "x" } },
        { task_id_or_path: "missing", input: {} },
      ],
    });
    expect(result.results.map((r: any) => r.status)).toEqual(["completed", "refused"]);
    expect(result.results[1].error.type).toBe("not_found");
    expect(await call("ratchet_execute_task_batch", { inputs: [{}] })).toMatch(/either task_id_or_path with inputs, or runs/);
  });

  it("stops starting runs when the call is cancelled", async () => {
    await fx.task("slow", `(function() { return fetch("${upstream}/slow?ms=200").body; })`);
    const controller = new AbortController();
    const call = fx.mcp.callRaw(
      "ratchet_execute_task_batch",
      { task_id_or_path: "slow", inputs: Array.from({ length: 10 }, () => ({})), parallel: 1 },
      { signal: controller.signal, onprogress: () => controller.abort() },
    );
    await expect(call).rejects.toThrow();
    await new Promise((done) => setTimeout(done, 600));
    const recorded = await fx.workspace.listExecutions({ task: "slow", limit: 100 });
    expect(recorded.items.length).toBeGreaterThanOrEqual(1);
    expect(recorded.items.length).toBeLessThan(10);
  });
});

describe("validation tools", () => {
  it("ratchet_validate_task_structure: valid with what was checked, or every problem of a broken folder", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const ok = await call("ratchet_validate_task_structure", { task_id_or_path: "greet" });
    expect(ok).toMatchObject({ valid: true, errors: [] });
    expect(ok.checked.map((c: any) => c.file)).toContain("main.js");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${fx.tasksDir}/greet/input.schema.json`, JSON.stringify({ type: "sting" }));
    const broken = await call("ratchet_validate_task_structure", { task_id_or_path: "greet" });
    expect(broken.valid).toBe(false);
    expect(broken.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: "input.schema.json", pointer: "/type", message: expect.stringContaining('did you mean "string"') })]));
    expect(broken.checked.map((c: any) => c.file)).toEqual(expect.arrayContaining(["metadata.json", "input.schema.json", "main.js"]));
    await writeFile(`${fx.tasksDir}/greet/main.js`, "const x = ;");
    const both = await call("ratchet_validate_task_structure", { task_id_or_path: "greet" });
    expect(both.errors.map((e: any) => e.file)).toEqual(expect.arrayContaining(["input.schema.json", "main.js"]));
    expect(await call("ratchet_validate_task_structure", { task_id_or_path: "absent" })).toMatch(/not_found/);
  });

  it("ratchet_validate_task_input and _output: every issue with its JSON Pointer", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    expect(await call("ratchet_validate_task_input", { task_id_or_path: "greet", input: { name: "ok" } })).toEqual({ valid: true, issues: [], schema_file: "input.schema.json" });
    const input = await call("ratchet_validate_task_input", { task_id_or_path: "greet", input: { name: 7 } });
    expect(input.valid).toBe(false);
    expect(input.issues).toEqual([expect.objectContaining({ pointer: "/name", keyword: "type" })]);
    const output = await call("ratchet_validate_task_output", { task_id_or_path: "greet", output: { greeting: 1 } });
    expect(output).toMatchObject({ valid: false, schema_file: "output.schema.json" });
    expect(output.issues.map((i: any) => i.pointer)).toEqual(["/greeting"]);
    const missing = await call("ratchet_validate_task_output", { task_id_or_path: "greet", output: {} });
    expect(missing.issues).toEqual([expect.objectContaining({ pointer: "", keyword: "required" })]);
  });
});

describe("ratchet_replay_execution", () => {
  it("runs the recorded input again, or a changed one, on the task's current code", async () => {
    await fx.task("greet", GREET, { input: NAME_SCHEMA, output: GREETING_SCHEMA });
    const first = await call("ratchet_execute_task", { task_id_or_path: "greet", input: { name: "" } });
    const same = await call("ratchet_replay_execution", { execution_id: first.execution_id });
    expect(same).toMatchObject({ status: "failed", replay_of: first.execution_id, input_changed: false, recorded_version: "1.0.0", error: { type: "InputSchemaError" } });
    const changed = await call("ratchet_replay_execution", { execution_id: first.execution_id, input: { name: "Lin" } });
    expect(changed).toMatchObject({ status: "completed", input_changed: true, output: { greeting: "hello Lin" } });
    expect(changed.execution_id).not.toBe(first.execution_id);
  });

  it("asks for the input when the recorded one has secrets redacted", async () => {
    await fx.task("keyed", `(function(input) { return { length: input.apiKey.length }; })`);
    const first = await call("ratchet_execute_task", { task_id_or_path: "keyed", input: { apiKey: "s3cret-value" } });
    expect(first.output).toEqual({ length: 12 });
    const refused = await call("ratchet_replay_execution", { execution_id: first.execution_id });
    expect(refused).toMatch(/secrets redacted at \/apiKey/);
    expect(refused).toMatch(/Pass `input`/);
    const replayed = await call("ratchet_replay_execution", { execution_id: first.execution_id, input: { apiKey: "abc" } });
    expect(replayed.output).toEqual({ length: 3 });
    expect(await call("ratchet_replay_execution", { execution_id: "no-such-id" })).toMatch(/not_found/);
  });
});
