import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADDER, openFixture, type Fixture } from "./task-fixture.ts";

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
});
afterEach(() => fx.close());

const call = (name: string, args: Record<string, unknown>) => fx.mcp.call(name, args);
const onDisk = (...path: string[]) => readFile(join(fx.tasksDir, ...path), "utf8");
const exists = (...path: string[]) => stat(join(fx.tasksDir, ...path)).then(() => true, () => false);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("ratchet_create_task", () => {
  it("builds a valid task from upstream's fields, with a fresh uuid and a test file per test case", async () => {
    const created = await call("ratchet_create_task", ADDER);
    expect(created.task).toMatchObject({ name: "adder", label: "Adder", version: "1.0.0", tags: ["math"], description: "Adds two numbers" });
    expect(created.files).toEqual(["input.schema.json", "main.js", "metadata.json", "output.schema.json", "tests/negative.json", "tests/small.json"]);
    const metadata = JSON.parse(await onDisk("adder", "metadata.json"));
    expect(metadata.uuid).toMatch(UUID);
    expect(await onDisk("adder", "main.js")).toBe(ADDER.code);
    expect(JSON.parse(await onDisk("adder", "tests", "small.json"))).toEqual(ADDER.test_cases[0]);
    const again = await call("ratchet_create_task", { ...ADDER, name: "adder-two" });
    expect(JSON.parse(await onDisk("adder-two", "metadata.json")).uuid).not.toBe(metadata.uuid);
  });

  it("scaffolds what is left out, and takes whole files (adding a uuid to metadata.json without one)", async () => {
    const scaffold = await call("ratchet_create_task", { name: "echo" });
    expect(scaffold.task.label).toBe("Echo");
    const files = await call("ratchet_create_task", {
      name: "from-files",
      files: { "metadata.json": JSON.stringify({ version: "2.0.0", label: "From files" }), "main.js": "(function(input) { return { ok: true }; })" },
    });
    expect(files.task).toMatchObject({ version: "2.0.0", label: "From files" });
    expect(JSON.parse(await onDisk("from-files", "metadata.json")).uuid).toMatch(UUID);
  });

  it("writes nothing and lists every problem when the task would be invalid", async () => {
    const text = await call("ratchet_create_task", { ...ADDER, code: "(function(input) { return {", input_schema: { type: "sting" } });
    expect(text).toMatch(/^invalid:/);
    expect(text).toContain("input.schema.json");
    expect(text).toMatch(/did you mean "string"/);
    expect(text).toContain("main.js");
    expect(text).toMatch(/hint:/);
    expect(await exists("adder")).toBe(false);
  });

  it("refuses bad arguments and an existing name with what to do", async () => {
    expect(await call("ratchet_create_task", {})).toMatch(/argument `name` is missing/);
    expect(await call("ratchet_create_task", { name: "x", tags: "math" })).toMatch(/argument `tags`/);
    expect(await call("ratchet_create_task", { name: "x", code: "1", files: { "main.js": "2" } })).toMatch(/main\.js is given twice/);
    expect(await call("ratchet_create_task", { name: "x", files: { "../escape/main.js": "2" } })).toMatch(/outside the task folder/);
    expect(await call("ratchet_create_task", { ...ADDER, name: "../escape" })).toMatch(/^bad_request: "\.\.\/escape" is not a valid task name[^]*hint:/);
    expect(await exists("..", "escape")).toBe(false);
    await call("ratchet_create_task", ADDER);
    expect(await call("ratchet_create_task", ADDER)).toMatch(/^exists:.*\n.*hint/s);
  });
});

describe("reading tasks", () => {
  beforeEach(async () => {
    await call("ratchet_create_task", ADDER);
  });

  it("ratchet_get_task_info gives schemas, tests, files and backups; the code when asked", async () => {
    const info = await call("ratchet_get_task_info", { task_id_or_path: "adder" });
    expect(info.input_schema).toEqual(ADDER.input_schema);
    expect(info.tests).toEqual([
      { file: "tests/negative.json", name: "negative" },
      { file: "tests/small.json", name: "small" },
    ]);
    expect(info.files.map((f: { path: string }) => f.path)).toContain("main.js");
    expect(info.files.find((f: { path: string }) => f.path === "main.js").uri).toBe("ratchet://tasks/adder/main.js");
    expect(info).toMatchObject({ backups: [], backup_count: 0 });
    expect(info.code).toBeUndefined();
    expect((await call("ratchet_get_task_info", { task_id_or_path: join(fx.tasksDir, "adder"), include_code: true })).code).toBe(ADDER.code);
    expect(await call("ratchet_get_task_info", { task_id_or_path: "nope" })).toMatch(/^not_found:/);
  });

  it("ratchet_list_available_tasks filters by text and tag and pages with a cursor", async () => {
    await call("ratchet_create_task", { name: "greeter", description: "Says hello", tags: ["text"] });
    await call("ratchet_create_task", { name: "shouter", description: "Says HELLO loudly", tags: ["text"] });
    expect((await call("ratchet_list_available_tasks", {})).tasks.map((t: { name: string }) => t.name)).toEqual(["adder", "greeter", "shouter"]);
    expect((await call("ratchet_list_available_tasks", { tag: "math" })).tasks.map((t: { name: string }) => t.name)).toEqual(["adder"]);
    expect((await call("ratchet_list_available_tasks", { q: "hello" })).tasks.map((t: { name: string }) => t.name)).toEqual(["greeter", "shouter"]);
    const first = await call("ratchet_list_available_tasks", { limit: 2 });
    expect(first.tasks).toHaveLength(2);
    const second = await call("ratchet_list_available_tasks", { limit: 2, cursor: first.next_cursor });
    expect(second).toMatchObject({ tasks: [{ name: "shouter" }], next_cursor: null });
    expect(await call("ratchet_list_available_tasks", { limit: 0 })).toMatch(/argument `limit`/);
  });

  it("ratchet_read_task_file reads a file in pieces and refuses paths outside the task folder", async () => {
    const whole = await call("ratchet_read_task_file", { task_id: "adder", path: "main.js" });
    expect(whole).toEqual({ path: "main.js", content: ADDER.code, total_chars: ADDER.code.length, next_offset: null });
    const piece = await call("ratchet_read_task_file", { task_id: "adder", path: "./main.js", max_chars: 10 });
    expect(piece).toMatchObject({ content: ADDER.code.slice(0, 10), next_offset: 10 });
    expect((await call("ratchet_read_task_file", { task_id: "adder", path: "main.js", offset: 10 })).content).toBe(ADDER.code.slice(10));
    expect(await call("ratchet_read_task_file", { task_id: "adder", path: "../greeter/main.js" })).toMatch(/^bad_request: "\.\.\/greeter\/main\.js" is outside the task folder\nhint: Give a path relative/);
    expect(await call("ratchet_read_task_file", { task_id: "adder", path: "/etc/passwd" })).toMatch(/outside the task folder/);
    expect(await call("ratchet_read_task_file", { task_id: "adder", path: "README.md" })).toMatch(/not a task file/);
    expect(await call("ratchet_read_task_file", { task_id: "adder", path: "tests/none.json" })).toMatch(/^not_found: adder has no tests\/none\.json/);
    expect(await call("ratchet_read_task_file", { task_id: "adder" })).toMatch(/argument `path` is missing/);
  });

  it("ratchet_list_task_files lists files with sizes and resource URIs", async () => {
    const listed = await call("ratchet_list_task_files", { task_id: "adder" });
    expect(listed.task).toBe("adder");
    expect(listed.files.map((f: { path: string }) => f.path)).toEqual(["input.schema.json", "main.js", "metadata.json", "output.schema.json", "tests/negative.json", "tests/small.json"]);
    expect(listed.files.find((f: { path: string }) => f.path === "main.js").bytes).toBe(Buffer.byteLength(ADDER.code));
  });
});

describe("changing tasks", () => {
  beforeEach(async () => {
    await call("ratchet_create_task", ADDER);
  });

  it("ratchet_update_task_code replaces main.js and keeps the previous content as a backup", async () => {
    const before = (await call("ratchet_get_task_info", { task_id_or_path: "adder" })).task.hash;
    const code = "(function(input) { return { sum: input.a + input.b + 0 }; })";
    const saved = await call("ratchet_update_task_code", { task_id: "adder", code });
    expect(saved.previous_hash).toBe(before);
    expect(saved.task.hash).not.toBe(before);
    expect(await onDisk("adder", "main.js")).toBe(code);
    const { backups } = await call("ratchet_get_task_info", { task_id_or_path: "adder" });
    expect(backups.map((b: { hash: string }) => b.hash)).toEqual([before]);
    expect((await call("ratchet_update_task_code", { task_id: "adder", code })).task.hash).toBe(saved.task.hash);
    expect((await call("ratchet_get_task_info", { task_id_or_path: "adder" })).backups).toHaveLength(1);
  });

  it("ratchet_update_task_code refuses code that does not parse, naming the line, and leaves main.js unchanged", async () => {
    const text = await call("ratchet_update_task_code", { task_id: "adder", code: "(function(input) {\n  return { sum: input.a +  };\n})" });
    expect(text).toMatch(/^invalid:.*nothing was written/);
    expect(text).toMatch(/main\.js:2/);
    expect(await onDisk("adder", "main.js")).toBe(ADDER.code);
    expect((await call("ratchet_get_task_info", { task_id_or_path: "adder" })).backups).toEqual([]);
  });

  it("ratchet_update_task_code applies the guide's code_changes and can run the tests on save", async () => {
    const saved = await call("ratchet_update_task_code", {
      task_id: "adder",
      code_changes: [{ section: "main_function", old_code: "var sum = input.a + input.b;", new_code: "var sum = input.a * input.b;" }],
      run_tests_on_save: true,
    });
    expect(await onDisk("adder", "main.js")).toContain("input.a * input.b");
    expect(saved.tests).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(saved.tests.tests[1]).toMatchObject({ name: "small", passed: false, diff: expect.stringContaining('-  "sum": 3') });
    expect(await call("ratchet_update_task_code", { task_id: "adder", code_changes: [{ old_code: "input", new_code: "x" }] })).toMatch(/occurs \d+ times.*\nhint: Quote more/);
    expect(await call("ratchet_update_task_code", { task_id: "adder" })).toMatch(/neither code nor code_changes/);
    expect(await call("ratchet_update_task_code", { task_id: "adder", code: 42 })).toMatch(/argument `code`/);
    expect(await call("ratchet_update_task_code", { task_id: "missing", code: "(function() { return {}; })" })).toMatch(/^not_found:/);
  });

  it("ratchet_update_task_schemas checks the new schema and the tests against it before writing", async () => {
    const input_schema = { ...ADDER.input_schema, properties: { ...ADDER.input_schema.properties, c: { type: "number" } } };
    const saved = await call("ratchet_update_task_schemas", { task_id: "adder", input_schema });
    expect(JSON.parse(await onDisk("adder", "input.schema.json"))).toEqual(input_schema);
    expect(saved.warnings).toEqual([]);
    const narrowed = await call("ratchet_update_task_schemas", { task_id: "adder", input_schema: { ...input_schema, required: ["a", "b", "c"] } });
    expect(narrowed.warnings.map((w: { file: string }) => w.file)).toEqual(["tests/negative.json", "tests/small.json"]);
    const before = await onDisk("adder", "output.schema.json");
    expect(await call("ratchet_update_task_schemas", { task_id: "adder", output_schema: { type: "objet" } })).toMatch(/^invalid:[^]*output\.schema\.json[^]*did you mean "object"/);
    expect(await onDisk("adder", "output.schema.json")).toBe(before);
    expect(await call("ratchet_update_task_schemas", { task_id: "adder" })).toMatch(/neither input_schema nor output_schema/);
  });

  it("ratchet_update_task_metadata changes fields in place, keeps the uuid, and refuses invalid metadata", async () => {
    const { uuid } = JSON.parse(await onDisk("adder", "metadata.json"));
    const saved = await call("ratchet_update_task_metadata", { task_id: "adder", version: "1.1.0", add_tags: ["arith"], remove_tags: ["math"], timeout: 5000 });
    expect(saved.changes).toEqual({ version: "1.1.0", tags: ["arith"], timeout: 5000 });
    expect(JSON.parse(await onDisk("adder", "metadata.json"))).toMatchObject({ uuid, version: "1.1.0", tags: ["arith"], timeout: 5000 });
    expect((await call("ratchet_update_task_metadata", { task_id: "adder", version: "1.1.0" })).changes).toEqual({});
    expect((await call("ratchet_update_task_metadata", { task_id: "adder", remove_fields: ["timeout"] })).changes).toEqual({ timeout: null });
    expect(await call("ratchet_update_task_metadata", { task_id: "adder", version: "one" })).toMatch(/^invalid:[^]*metadata\.json[^]*\/version/);
    expect(JSON.parse(await onDisk("adder", "metadata.json")).version).toBe("1.1.0");
    expect(await call("ratchet_update_task_metadata", { task_id: "adder", remove_fields: ["uuid"] })).toMatch(/uuid is required/);
  });

  it("ratchet_clone_task copies to a new task with a new uuid, label and version; never over an existing one", async () => {
    await call("ratchet_update_task_metadata", { task_id: "adder", version: "3.0.0" });
    const clone = await call("ratchet_clone_task", { task_id: "adder", new_name: "adder-copy", clear_tests: true });
    expect(clone).toMatchObject({ source: "adder", task: { name: "adder-copy", label: "Adder Copy", version: "1.0.0" } });
    const [a, b] = await Promise.all([onDisk("adder", "metadata.json"), onDisk("adder-copy", "metadata.json")]);
    expect(JSON.parse(b).uuid).not.toBe(JSON.parse(a).uuid);
    expect(await exists("adder-copy", "tests", "small.json")).toBe(false);
    expect(await onDisk("adder-copy", "main.js")).toBe(ADDER.code);
    expect((await call("ratchet_clone_task", { task_id: "adder", new_name: "kept", keep_metadata: true })).task).toMatchObject({ label: "Adder", version: "3.0.0" });
    expect(await call("ratchet_clone_task", { task_id: "adder", new_name: "adder-copy" })).toMatch(/^exists:/);
  });

  it("ratchet_write_task_file writes a file after validating the task, and refuses paths outside it", async () => {
    const test = JSON.stringify({ name: "zero", input: { a: 0, b: 0 }, expected_output: { sum: 0 } });
    await call("ratchet_write_task_file", { task_id: "adder", path: "tests/zero.json", content: test });
    expect(await onDisk("adder", "tests", "zero.json")).toBe(test);
    const before = await onDisk("adder", "input.schema.json");
    expect(await call("ratchet_write_task_file", { task_id: "adder", path: "input.schema.json", content: "{ \"type\": \"object\", }" })).toMatch(/^invalid:[^]*input\.schema\.json:1/);
    expect(await onDisk("adder", "input.schema.json")).toBe(before);
    expect(await call("ratchet_write_task_file", { task_id: "adder", path: "../evil.json", content: "{}" })).toMatch(/outside the task folder/);
    expect(await call("ratchet_write_task_file", { task_id: "adder", path: "tests/../../evil.json", content: "{}" })).toMatch(/outside the task folder/);
    expect(await exists("evil.json")).toBe(false);
    expect(await exists("..", "evil.json")).toBe(false);
  });

  it("ratchet_delete_task removes the task and names the backup that brings it back; a second call says it is gone", async () => {
    const deleted = await call("ratchet_delete_task", { task_id: "adder" });
    expect(deleted).toMatchObject({ deleted: "adder", backup: { version: "1.0.0", note: "before delete" } });
    expect(await exists("adder")).toBe(false);
    expect(await call("ratchet_delete_task", { task_id: "adder" })).toMatch(/^not_found:/);
    await call("ratchet_restore_task_backup", { task_id: "adder", backup_id: deleted.backup.id });
    expect(await onDisk("adder", "main.js")).toBe(ADDER.code);
  });
});

describe("backups, bundles and versions", () => {
  beforeEach(async () => {
    await call("ratchet_create_task", ADDER);
  });

  it("ratchet_backup_task and ratchet_restore_task_backup bring back an earlier state; compare shows the change", async () => {
    const backup = await call("ratchet_backup_task", { task_id: "adder", note: "before the rewrite" });
    expect(backup).toMatchObject({ version: "1.0.0", note: "before the rewrite" });
    await call("ratchet_update_task_code", { task_id: "adder", code: "(function(input) { return { sum: 42 }; })" });

    const compared = await call("ratchet_compare_task_versions", { task_id: "adder", version_a: backup.id });
    expect(compared).toMatchObject({ from: backup.id, to: "current", identical: false, changed_files: ["main.js"], truncated: false });
    expect(compared.diff).toContain("--- a/main.js");
    expect(compared.diff).toContain("-  var sum = input.a + input.b;");
    expect(compared.diff).toContain("+(function(input) { return { sum: 42 }; })");

    const restored = await call("ratchet_restore_task_backup", { task_id: "adder", backup_id: backup.id });
    expect(restored.task.hash).toBe(backup.hash);
    expect(await onDisk("adder", "main.js")).toBe(ADDER.code);
    const backups = (await call("ratchet_get_task_info", { task_id_or_path: "adder" })).backups.length;
    expect((await call("ratchet_restore_task_backup", { task_id: "adder", backup_id: backup.id })).task.hash).toBe(backup.hash);
    expect((await call("ratchet_get_task_info", { task_id_or_path: "adder" })).backups).toHaveLength(backups);
    expect((await call("ratchet_compare_task_versions", { task_id: "adder", version_a: backup.id, version_b: "current" })).identical).toBe(true);
    expect(await call("ratchet_restore_task_backup", { task_id: "adder", backup_id: "no-such-backup" })).toMatch(/^(not_found|bad_request):/);
  });

  it("ratchet_compare_task_versions narrows to files and cuts a long diff", async () => {
    const backup = await call("ratchet_backup_task", { task_id: "adder" });
    await call("ratchet_update_task_metadata", { task_id: "adder", version: "1.0.1" });
    await call("ratchet_update_task_code", { task_id: "adder", code: "(function(input) { return { sum: input.a + input.b }; })" });
    const all = await call("ratchet_compare_task_versions", { task_id: "adder", version_a: backup.id });
    expect(all.changed_files).toEqual(["metadata.json", "main.js"]);
    const code = await call("ratchet_compare_task_versions", { task_id: "adder", version_a: backup.id, files: ["main.js"], max_chars: 20 });
    expect(code).toMatchObject({ changed_files: ["main.js"], truncated: true });
    expect(code.diff).toHaveLength(20);
    expect(await call("ratchet_compare_task_versions", { task_id: "adder", version_a: "nope" })).toMatch(/^(not_found|bad_request):/);
  });

  it("ratchet_export_task and ratchet_import_task move a task as its bundle document", async () => {
    const exported = await call("ratchet_export_task", { task_id: "adder" });
    expect(exported.document).toMatchObject({ format: "ratchet.bundle/1", code: ADDER.code, hash: expect.stringMatching(/^sha256:/) });
    const imported = await call("ratchet_import_task", { name: "adder-imported", document: exported.document });
    expect(imported).toMatchObject({ replaced: false, task: { name: "adder-imported", hash: exported.document.hash } });
    expect(await onDisk("adder-imported", "main.js")).toBe(ADDER.code);
    expect(await call("ratchet_import_task", { name: "adder-imported", document: JSON.stringify(exported.document) })).toMatch(/^exists:[^]*overwrite: true/);
    expect((await call("ratchet_import_task", { name: "adder-imported", document: JSON.stringify(exported.document), overwrite: true })).replaced).toBe(true);
    expect(await call("ratchet_import_task", { name: "broken", document: { ...exported.document, code: "(function( {", hash: undefined } })).toMatch(/^invalid:[^]*main\.js/);
    expect(await call("ratchet_import_task", { name: "broken", document: "{not json" })).toMatch(/not valid JSON/);
    expect(await exists("broken")).toBe(false);
  });
});

describe("the server stays up", () => {
  it("answers after refusals, and a hand-broken file does not stop the other tools", async () => {
    await call("ratchet_create_task", ADDER);
    await writeFile(join(fx.tasksDir, "adder", "main.js"), "(function( {");
    expect(await call("ratchet_get_task_info", { task_id_or_path: "adder" })).toMatch(/^invalid:/);
    expect((await call("ratchet_list_available_tasks", {})).tasks[0]).toMatchObject({ name: "adder", enabled: false });
  });
});

describe("a task broken by hand", () => {
  it("can be read and repaired through the file tools, while tools that run it say what is wrong", async () => {
    await call("ratchet_create_task", ADDER);
    await writeFile(join(fx.tasksDir, "adder", "main.js"), "(function(input) { return {");
    expect(await call("ratchet_get_task_info", { task_id_or_path: "adder" })).toMatch(/^invalid:[^]*main\.js/);
    const read = await call("ratchet_read_task_file", { task_id: "adder", path: "main.js" });
    expect(read.content).toBe("(function(input) { return {");
    const repaired = await call("ratchet_write_task_file", { task_id: "adder", path: "main.js", content: ADDER.code });
    expect(repaired.previous_hash).toBe("");
    expect(await onDisk("adder", "main.js")).toBe(ADDER.code);
    expect((await call("ratchet_get_task_info", { task_id_or_path: "adder" })).input_schema).toEqual(ADDER.input_schema);
  });
});
