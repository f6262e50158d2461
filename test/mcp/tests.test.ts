import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADDER, openFixture, type Fixture } from "./task-fixture.ts";

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await fx.mcp.call("ratchet_create_task", ADDER);
});
afterEach(() => fx.close());

const call = (name: string, args: Record<string, unknown>) => fx.mcp.call(name, args);
const testFiles = async (task = "adder") => (await readdir(join(fx.tasksDir, task, "tests")).catch(() => [] as string[])).sort();

describe("ratchet_test_task", () => {
  it("runs the suite with a progress notification per test and a summary with diffs", async () => {
    await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "wrong on purpose", input: { a: 2, b: 2 }, expected_output: { sum: 5 } } });
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const result = await fx.mcp.callRaw("ratchet_test_task", { task_id: "adder" }, { onprogress: (p) => progress.push(p) });
    expect(result.isError).toBeFalsy();
    const suite = result.structuredContent as any;
    expect(suite).toMatchObject({ total: 3, passed: 2, failed: 1 });
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(progress[2]!.message).toBe("FAILED: wrong on purpose");
    const failed = suite.tests.find((t: { passed: boolean }) => !t.passed);
    expect(failed).toMatchObject({ file: "tests/wrong-on-purpose.json", failure: "output does not match expected_output", status: "completed" });
    expect(failed.diff).toContain('-  "sum": 5');
    expect(failed.diff).toContain('+  "sum": 4');
  });

  it("says what to do for a task without tests, and refuses an unknown task", async () => {
    await call("ratchet_create_task", { name: "bare" });
    expect(await call("ratchet_test_task", { task_id: "bare" })).toMatchObject({ total: 0, hint: expect.stringContaining("ratchet_create_test_case") });
    expect(await call("ratchet_test_task", { task_id: "nope" })).toMatch(/^not_found:[^]*hint:/);
    expect(await call("ratchet_test_task", {})).toMatch(/argument `task_id` is missing/);
  });
});

describe("ratchet_run_single_test", () => {
  it("runs one test by file or by name, with its output and error", async () => {
    const small = await call("ratchet_run_single_test", { task_id: "adder", test: "tests/small.json" });
    expect(small).toMatchObject({ file: "tests/small.json", name: "small", passed: true, status: "completed", output: { sum: 3 } });
    expect(small.execution_id).toEqual(expect.any(String));
    const negative = await call("ratchet_run_single_test", { task_id: "adder", test: "negative" });
    expect(negative).toMatchObject({ passed: true, status: "failed", error: { type: "DataError", message: "the sum is negative" } });
    expect(await call("ratchet_run_single_test", { task_id: "adder", test: "tests/nope.json" })).toMatch(/^not_found: no test "tests\/nope\.json"\nhint: Name it by file: tests\/negative\.json, tests\/small\.json/);
  });
});

describe("ratchet_create_test_case and ratchet_update_test_case", () => {
  it("adds a test case that can pass, and refuses one that cannot, writing nothing", async () => {
    const created = await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "Big Numbers", input: { a: 50, b: 50 }, expected_output: { sum: 100 } } });
    expect(created.file).toBe("tests/big-numbers.json");
    expect(JSON.parse(await readFile(join(fx.tasksDir, "adder", "tests", "big-numbers.json"), "utf8"))).toEqual({ name: "Big Numbers", input: { a: 50, b: 50 }, expected_output: { sum: 100 } });

    const refused = await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "bad input", input: { a: "one", b: 2 }, expected_output: { sum: 3 } } });
    expect(refused).toMatch(/^invalid: tests\/bad-input\.json would not pass as written; nothing was saved/);
    expect(refused).toMatch(/\/input\/a[^]*input\.schema\.json/);
    expect(refused).toContain("InputSchemaError");
    expect(await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "bad output", input: { a: 1, b: 1 }, expected_output: { sum: "two" } } })).toMatch(/expected_output cannot match output\.schema\.json/);
    const refusal = await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "refused input", input: { a: "one", b: 2 }, expected_error: { type: "InputSchemaError" } } });
    expect(refusal.file).toBe("tests/refused-input.json");
    expect(await testFiles()).toEqual(["big-numbers.json", "negative.json", "refused-input.json", "small.json"]);

    expect(await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "small", input: { a: 1, b: 1 } } })).toMatch(/^exists: tests\/small\.json[^]*ratchet_update_test_case/);
    expect(await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "both", input: {}, expected_output: {}, expected_error: { type: "X" } } })).toMatch(/both expected_output and expected_error/);
    expect(await call("ratchet_create_test_case", { task_id: "adder", test_case: { name: "x", input: { a: 1, b: 1 } }, file: "../../escape.json" })).toMatch(/outside the task folder/);
    expect(await call("ratchet_create_test_case", { task_id: "adder" })).toMatch(/argument `test_case` is missing/);
  });

  it("changes a test case, swapping expected_output for expected_error, and refuses a change that cannot pass", async () => {
    const updated = await call("ratchet_update_test_case", { task_id: "adder", test: "small", changes: { input: { a: -3, b: 1 }, expected_error: { type: "DataError" } } });
    expect(updated.file).toBe("tests/small.json");
    expect(JSON.parse(await readFile(join(fx.tasksDir, "adder", "tests", "small.json"), "utf8"))).toEqual({ name: "small", input: { a: -3, b: 1 }, expected_error: { type: "DataError" } });
    expect((await call("ratchet_run_single_test", { task_id: "adder", test: "small" })).passed).toBe(true);
    const before = await readFile(join(fx.tasksDir, "adder", "tests", "small.json"), "utf8");
    expect(await call("ratchet_update_test_case", { task_id: "adder", test: "small", changes: { input: { a: 1 } } })).toMatch(/^invalid:[^]*\/input/);
    expect(await readFile(join(fx.tasksDir, "adder", "tests", "small.json"), "utf8")).toBe(before);
    expect(await call("ratchet_update_test_case", { task_id: "adder", test: "missing", changes: {} })).toMatch(/^not_found: no test "missing"/);
  });
});

describe("ratchet_generate_test_cases", () => {
  it("derives cases from the input schema deterministically, records results from real runs, and marks them for review", async () => {
    const first = await call("ratchet_generate_test_cases", { task_id: "adder" });
    const kinds = first.cases.map((c: { kind: string }) => c.kind);
    expect(kinds).toEqual([
      "valid example",
      "missing required field a",
      "missing required field b",
      "wrong type (a: string instead of number)",
      "lowest allowed value -100 (a)",
      "below the lowest allowed value: -101 (a)",
      "highest allowed value 100 (a)",
      "above the highest allowed value: 101 (a)",
      "wrong type (b: string instead of number)",
    ]);
    const byKind = (kind: string) => first.cases.find((c: { kind: string }) => c.kind === kind);
    expect(byKind("valid example")).toMatchObject({ file: "tests/generated-valid-example.json", outcome: "completed", saved: false, test_case: { input: { a: 1, b: 1 }, expected_output: { sum: 2 } } });
    expect(byKind("lowest allowed value -100 (a)").test_case).toMatchObject({ input: { a: -100, b: 1 }, expected_error: { type: "DataError" } });
    expect(byKind("above the highest allowed value: 101 (a)").test_case.expected_error).toEqual({ type: "InputSchemaError" });
    expect(byKind("highest allowed value 100 (a)").test_case).toMatchObject({ input: { a: 100, b: 1 }, expected_output: { sum: 101 } });
    expect(byKind("missing required field a")).toMatchObject({ outcome: "InputSchemaError", test_case: { input: { b: 1 }, expected_error: { type: "InputSchemaError" } } });
    expect(byKind("valid example").test_case.description).toMatch(/recorded from a run of version 1\.0\.0[^]*review it/);
    expect(first.saved).toEqual([]);
    expect(await testFiles()).toEqual(["negative.json", "small.json"]);

    expect(await call("ratchet_generate_test_cases", { task_id: "adder" })).toEqual(first);
  });

  it("saves them when asked, keeps existing files unless overwrite, and the saved suite passes", async () => {
    const saved = await call("ratchet_generate_test_cases", { task_id: "adder", save: true, max_cases: 3 });
    expect(saved.saved).toEqual(["tests/generated-valid-example.json", "tests/generated-missing-required-field-a.json", "tests/generated-missing-required-field-b.json"]);
    expect(saved.left_out).toBe(6);
    expect(await testFiles()).toContain("generated-valid-example.json");
    expect(await call("ratchet_test_task", { task_id: "adder" })).toMatchObject({ total: 5, failed: 0 });
    const again = await call("ratchet_generate_test_cases", { task_id: "adder", save: true, max_cases: 3 });
    expect(again).toMatchObject({ saved: [], skipped: saved.saved });
    expect((await call("ratchet_generate_test_cases", { task_id: "adder", save: true, overwrite: true, max_cases: 1 })).saved).toEqual(["tests/generated-valid-example.json"]);
  });

  it("flags a case where the task crashes with a JavaScript error", async () => {
    await call("ratchet_create_task", {
      name: "counter",
      code: "(function(input) { return { count: input.items.length }; })",
      input_schema: { type: "object", properties: { items: { type: "array", maxItems: 2 } } },
    });
    const { cases } = await call("ratchet_generate_test_cases", { task_id: "counter" });
    const crash = cases.find((c: { kind: string }) => c.kind === "valid example, required fields only");
    expect(crash).toMatchObject({ test_case: { input: {} }, outcome: "TypeError", review: expect.stringMatching(/crashed with TypeError[^]*ValidationError/) });
    expect(await call("ratchet_generate_test_cases", { task_id: "adder", max_cases: 0 })).toMatch(/argument `max_cases`/);
  });
});

describe("ratchet_lint_task_code", () => {
  it("warns on a literal URL the task's network.allow does not cover", async () => {
    const dir = join(fx.tasksDir, "adder");
    const metadata = JSON.parse(await readFile(join(dir, "metadata.json"), "utf8"));
    await writeFile(join(dir, "metadata.json"), JSON.stringify({ ...metadata, network: { allow: ["api.example.com"] } }));
    await writeFile(join(dir, "main.js"), '(function(input) {\n  var r = fetch("https://other.example.org/x");\n  if (!r.ok) throw new NetworkError("down");\n  return r.body;\n})');
    const report = await call("ratchet_lint_task_code", { task_id: "adder" });
    expect(report.findings).toEqual([expect.objectContaining({ rule: "fetch-not-allowed", severity: "warning", line: 2 })]);
  });

  it("applies ratchet lint's rules to a task's main.js or to code", async () => {
    expect(await call("ratchet_lint_task_code", { task_id: "adder" })).toEqual({ file: "main.js", findings: [], errors: 0, warnings: 0 });
    const report = await call("ratchet_lint_task_code", { code: "(function(input) {\n  return fetch(input.url).then(function(r) { return r.json(); });\n})" });
    expect(report.errors).toBeGreaterThan(0);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: "fetch-then", severity: "error", line: 2 }));
  });

  it("says where code does not parse, and asks for exactly one of task_id and code", async () => {
    expect(await call("ratchet_lint_task_code", { code: "(function(input) {\n  return {;\n})" })).toMatch(/^invalid: main\.js does not parse: .*\(line 2, column \d+\)[^]*hint: Fix the syntax error/);
    expect(await call("ratchet_lint_task_code", {})).toMatch(/neither task_id nor code/);
    expect(await call("ratchet_lint_task_code", { task_id: "adder", code: "1" })).toMatch(/both task_id and code/);
    expect(await call("ratchet_lint_task_code", { code: 7 })).toMatch(/argument `code`/);
  });
});
