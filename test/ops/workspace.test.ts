import { mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { WorkspaceError, type ExecutionRecord } from "../../src/workspace/workspace.ts";
import type { TaskFiles } from "../../src/engine/index.ts";

const engine = createLocalEngine();

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A valid task: greets by name, fetches `url` when given, fails with DataError on name "bad". */
function taskFiles(options: { label?: string; version?: string; tags?: string[]; code?: string; tests?: Record<string, unknown> } = {}): TaskFiles {
  const files: TaskFiles = {
    "metadata.json": json({ uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: options.version ?? "1.0.0", label: options.label ?? "Greeter", tags: options.tags ?? ["demo"] }),
    "main.js":
      options.code ??
      `(function(input) {
  if (input.name === "bad") throw new DataError("bad name");
  var fetched = input.url ? fetch(input.url).body : null;
  return { greeting: "hello " + input.name, fetched: fetched };
})`,
    "input.schema.json": json({ type: "object", required: ["name"], properties: { name: { type: "string" }, url: { type: "string" }, apiKey: { type: "string" }, pin: { type: "string", writeOnly: true } } }),
    "output.schema.json": json({ type: "object", required: ["greeting"] }),
  };
  for (const [file, test] of Object.entries(options.tests ?? {})) files[file] = json(test);
  return files;
}

async function refusal(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

/** Every file under a folder, as paths relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

let root: string;
let tasksDir: string;
let workspace: LocalWorkspace;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "ratchet-ws-"));
  tasksDir = join(root, "tasks");
  workspace = new LocalWorkspace({ tasksDir, engine, config: DEFAULT_CONFIG });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("LocalWorkspace tasks", () => {
  it("creates, reads, lists and deletes a task folder", async () => {
    const created = await workspace.createTask("greeter", taskFiles());
    expect(created.task).toMatchObject({ name: "greeter", label: "Greeter", version: "1.0.0", tags: ["demo"], location: join(tasksDir, "greeter") });
    expect(created.task.hash).toMatch(/^sha256:/);
    expect(await tree(join(tasksDir, "greeter"))).toEqual(["input.schema.json", "main.js", "metadata.json", "output.schema.json"]);

    const snapshot = await workspace.getTask("greeter");
    expect(snapshot.files["main.js"]).toContain("hello");
    expect(snapshot.document.hash).toBe(created.task.hash);
    // The same task by its folder path, relative or absolute.
    expect((await workspace.getTask(relative(process.cwd(), join(tasksDir, "greeter")))).name).toBe("greeter");
    expect((await workspace.getTask(join(tasksDir, "greeter"))).name).toBe("greeter");

    expect((await refusal(workspace.createTask("greeter", taskFiles()))).code).toBe("exists");
    expect((await refusal(workspace.createTask("Not a name!", taskFiles()))).code).toBe("bad_request");

    await workspace.deleteTask("greeter");
    expect(await stat(join(tasksDir, "greeter")).catch(() => undefined)).toBeUndefined();
    expect((await refusal(workspace.getTask("greeter"))).code).toBe("not_found");
  });

  it("lists tasks filtered by text and tag, a page at a time, invalid folders included", async () => {
    await workspace.createTask("alpha", taskFiles({ label: "Alpha weather", tags: ["weather"] }));
    await workspace.createTask("beta", taskFiles({ label: "Beta", tags: ["news"] }));
    await workspace.createTask("gamma", taskFiles({ label: "Gamma weather", tags: ["weather"] }));
    await mkdir(join(tasksDir, "broken"));
    await writeFile(join(tasksDir, "broken", "metadata.json"), json({ label: "Broken" }));
    await mkdir(join(tasksDir, "not-a-task"));

    const all = await workspace.listTasks({});
    expect(all.items.map((t) => t.name)).toEqual(["alpha", "beta", "broken", "gamma"]);
    expect(all.items.find((t) => t.name === "broken")).toMatchObject({ hash: "", enabled: false, description: expect.stringMatching(/Not a valid task/) });

    expect((await workspace.listTasks({ q: "WEATHER" })).items.map((t) => t.name)).toEqual(["alpha", "gamma"]);
    expect((await workspace.listTasks({ tag: "news" })).items.map((t) => t.name)).toEqual(["beta"]);

    const first = await workspace.listTasks({ limit: 2 });
    expect(first.items.map((t) => t.name)).toEqual(["alpha", "beta"]);
    const second = await workspace.listTasks({ limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((t) => t.name)).toEqual(["broken", "gamma"]);
    expect(second.next_cursor).toBeNull();
    expect((await refusal(workspace.listTasks({ limit: 0 }))).code).toBe("bad_request");
  });

  it("checks files without writing anything", async () => {
    const good = await workspace.check(taskFiles());
    expect(good.ok).toBe(true);
    const bad = await workspace.check({ ...taskFiles(), "main.js": "(function( {" });
    expect(bad.ok).toBe(false);
    expect(await tree(root)).toEqual([]);
  });

  it("writes nothing when the files are invalid, and says every problem", async () => {
    const broken = { ...taskFiles(), "main.js": "(function(input) { return ; ", "output.schema.json": "{ not json" };
    const error = await refusal(workspace.createTask("greeter", broken));
    expect(error.code).toBe("invalid");
    expect(error.problems!.map((p) => p.file).sort()).toEqual(["main.js", "output.schema.json"]);
    expect(await tree(root)).toEqual([]);

    await workspace.createTask("greeter", taskFiles());
    const before = await tree(tasksDir);
    expect((await refusal(workspace.saveTask("greeter", broken, "broken edit"))).code).toBe("invalid");
    expect(await tree(tasksDir)).toEqual(before);
    expect((await refusal(workspace.importTask("greeter", { format: "ratchet.bundle/1", code: 1 }))).code).toBe("invalid");
    expect(await tree(tasksDir)).toEqual(before);
    expect(await readFile(join(tasksDir, "greeter", "main.js"), "utf8")).toBe(taskFiles()["main.js"]);
  });

  it("refuses file paths that are not task files", async () => {
    const error = await refusal(workspace.createTask("greeter", { ...taskFiles(), "../escape.js": "x", "tests/../../x.json": "{}" }));
    expect(error.code).toBe("bad_request");
    expect(error.message).toContain("../escape.js");
    expect(await tree(root)).toEqual([]);
  });
});

describe("LocalWorkspace path guard", () => {
  beforeEach(async () => {
    await workspace.createTask("greeter", taskFiles());
    // A task folder outside the tasks folder, reachable only by a path.
    await mkdir(join(root, "outside"));
    for (const [file, text] of Object.entries(taskFiles())) await writeFile(join(root, "outside", file), text);
  });

  it.each([
    ["a relative path with ..", () => join(relative(process.cwd(), tasksDir), "..", "outside")],
    ["an absolute path elsewhere", () => join(root, "outside")],
    ["a path into .. from a task", () => join(tasksDir, "greeter", "..", "..", "outside")],
    ["a folder inside a task", () => join(tasksDir, "greeter", "tests")],
  ])("refuses %s as bad_request naming the tasks folder", async (_label, ref) => {
    const error = await refusal(workspace.getTask(ref()));
    expect(error.code).toBe("bad_request");
    expect(error.message).toContain(tasksDir);
    expect((await refusal(workspace.execute(ref(), { name: "x" }, { trigger: "mcp" }))).code).toBe("bad_request");
    expect((await refusal(workspace.saveTask(ref(), taskFiles(), "n"))).code).toBe("bad_request");
  });

  it("refuses a symlink that leads out of the tasks folder", async () => {
    await symlink(join(root, "outside"), join(tasksDir, "link"));
    expect((await refusal(workspace.getTask("link"))).code).toBe("bad_request");
    expect((await refusal(workspace.deleteTask(join(tasksDir, "link")))).code).toBe("bad_request");
    expect(await stat(join(root, "outside", "main.js"))).toBeTruthy();
  });

  it("says not_found for a missing task, bad_request for a non-name", async () => {
    expect((await refusal(workspace.getTask("nope"))).code).toBe("not_found");
    expect((await refusal(workspace.getTask(""))).code).toBe("bad_request");
  });
});

describe("LocalWorkspace backups", () => {
  it("keeps the previous content on save, lists, reads and restores backups", async () => {
    await workspace.createTask("greeter", taskFiles());
    await writeFile(join(tasksDir, "greeter", "README.md"), "notes\n");
    const saved = await workspace.saveTask("greeter", taskFiles({ version: "1.1.0", tests: { "tests/a.json": { input: { name: "a" }, expected_output: { greeting: "hello a" } } } }), "add a test");
    expect(saved.task.version).toBe("1.1.0");
    // Files that are not task files stay; the new test is there.
    expect(await tree(join(tasksDir, "greeter"))).toEqual(["README.md", "input.schema.json", "main.js", "metadata.json", "output.schema.json", "tests/a.json"]);

    const [first] = await workspace.listBackups("greeter");
    expect(first).toMatchObject({ version: "1.0.0", note: "add a test" });
    const manual = await workspace.backupTask("greeter", "by hand");
    expect(manual.version).toBe("1.1.0");
    expect((await workspace.listBackups("greeter")).map((b) => b.id)).toEqual([manual.id, first!.id]);

    const old = await workspace.getTask("greeter", { version: first!.id });
    expect(old.version).toBe("1.0.0");
    expect(old.files["tests/a.json"]).toBeUndefined();

    const restored = await workspace.restoreBackup("greeter", first!.id);
    expect(restored.task.version).toBe("1.0.0");
    expect(await tree(join(tasksDir, "greeter"))).toEqual(["README.md", "input.schema.json", "main.js", "metadata.json", "output.schema.json"]);
    // Restoring kept what it replaced.
    expect((await workspace.listBackups("greeter"))[0]).toMatchObject({ version: "1.1.0", note: `before restoring backup ${first!.id}` });

    expect((await refusal(workspace.restoreBackup("greeter", "../../x"))).code).toBe("not_found");
    expect((await refusal(workspace.getTask("greeter", { version: "0190aaaa-0000-7000-8000-000000000000" }))).code).toBe("not_found");
  });

  it("backs up a task broken on disk, and will not restore it: invalid, nothing written", async () => {
    await workspace.createTask("greeter", taskFiles());
    await writeFile(join(tasksDir, "greeter", "main.js"), "(function( {");
    const broken = await workspace.backupTask("greeter", "broken");
    expect(broken).toMatchObject({ hash: "", version: "" });
    expect((await refusal(workspace.getTask("greeter"))).code).toBe("invalid");
    await workspace.saveTask("greeter", taskFiles({ version: "1.0.1" }), "fixed");
    const before = await tree(tasksDir);
    const error = await refusal(workspace.restoreBackup("greeter", broken.id));
    expect(error.code).toBe("invalid");
    expect(error.problems!.some((p) => p.file === "main.js")).toBe(true);
    expect(await tree(tasksDir)).toEqual(before);
    expect((await workspace.getTask("greeter")).version).toBe("1.0.1");
    // No scratch folders are left behind by any of it.
    expect(await readdir(join(tasksDir, ".ratchet", "tmp"))).toEqual([]);
  });

  it("undoes a delete from the backup it keeps", async () => {
    await workspace.createTask("greeter", taskFiles());
    await workspace.deleteTask("greeter");
    const [kept] = await workspace.listBackups("greeter");
    expect(kept!.note).toBe("before delete");
    await workspace.restoreBackup("greeter", kept!.id);
    expect((await workspace.getTask("greeter")).version).toBe("1.0.0");
  });

  it("imports a bundle document as a new task or over an existing one", async () => {
    await workspace.createTask("greeter", taskFiles());
    const { document } = await workspace.getTask("greeter");
    const imported = await workspace.importTask("copy", document);
    expect(imported.task.hash).toBe(document.hash);
    const changed = { ...document, hash: undefined, metadata: { ...document.metadata, version: "2.0.0" } };
    expect((await workspace.importTask("copy", changed)).task.version).toBe("2.0.0");
    expect((await workspace.listBackups("copy"))[0]).toMatchObject({ version: "1.0.0", note: "before import" });
  });
});

describe("LocalWorkspace runs and history", () => {
  it("runs a task with a guest fetch, records it with secrets redacted, and reads it back", async () => {
    await workspace.createTask("greeter", taskFiles());
    const url = `${inject("upstreamUrl")}/json?x=1`;
    const record = await workspace.execute("greeter", { name: "ada", url, apiKey: "sk-123", pin: "0000" }, { trigger: "mcp" });
    expect(record).toMatchObject({ task: "greeter", version: "1.0.0", trigger: "mcp", status: "completed", error_type: null, retry_of: null, schedule_id: null, attempt: 1 });
    expect(record.output).toEqual({ greeting: "hello ada", fetched: { hello: "world", query: { x: "1" } } });
    expect(record.input).toEqual({ name: "ada", url, apiKey: "redacted", pin: "redacted" });
    expect(record.http).toHaveLength(1);

    const stored = await workspace.getExecution(record.id);
    expect(stored).toEqual(record);
    const onDisk = JSON.parse(await readFile(join(tasksDir, ".ratchet", "history", `${record.id}.json`), "utf8")) as ExecutionRecord;
    expect(JSON.stringify(onDisk)).not.toContain("sk-123");
    expect(JSON.stringify(onDisk)).not.toContain("0000\"");
  });

  it("records a failed run as a failed record, and records nothing with record: false", async () => {
    await workspace.createTask("greeter", taskFiles());
    const failed = await workspace.execute("greeter", { name: "bad" }, { trigger: "cli" });
    expect(failed).toMatchObject({ status: "failed", error_type: "DataError", error: { type: "DataError", message: "bad name" } });
    const unrecorded = await workspace.execute("greeter", { name: "quiet" }, { trigger: "cli", record: false });
    expect((await refusal(workspace.getExecution(unrecorded.id))).code).toBe("not_found");
    expect((await workspace.listExecutions({})).items.map((e) => e.id)).toEqual([failed.id]);
  });

  it("lists newest first with filters, pages by cursor, and keeps only the newest N", async () => {
    workspace = new LocalWorkspace({ tasksDir, engine, config: DEFAULT_CONFIG, historyLimit: 5 });
    await workspace.createTask("greeter", taskFiles());
    await workspace.createTask("other", taskFiles({ label: "Other" }));
    const ids: string[] = [];
    for (const [task, name, trigger] of [
      ["greeter", "a", "cli"],
      ["greeter", "bad", "mcp"],
      ["other", "b", "mcp"],
      ["greeter", "c", "mcp"],
      ["other", "bad", "cli"],
      ["greeter", "d", "test"],
    ] as const) {
      ids.push((await workspace.execute(task, { name }, { trigger })).id);
    }
    const newest = [...ids].reverse();
    const all = await workspace.listExecutions({});
    // Six runs, five kept: the oldest went.
    expect(all.items.map((e) => e.id)).toEqual(newest.slice(0, 5));
    expect(all.items[0]).not.toHaveProperty("logs");
    expect((await refusal(workspace.getExecution(ids[0]!))).code).toBe("not_found");

    expect((await workspace.listExecutions({ task: "other" })).items.map((e) => e.id)).toEqual([ids[4], ids[2]]);
    expect((await workspace.listExecutions({ status: "failed" })).items.map((e) => e.id)).toEqual([ids[4], ids[1]]);
    expect((await workspace.listExecutions({ trigger: "mcp", task: "greeter" })).items.map((e) => e.id)).toEqual([ids[3], ids[1]]);

    const page1 = await workspace.listExecutions({ limit: 2 });
    const page2 = await workspace.listExecutions({ limit: 2, cursor: page1.next_cursor! });
    const page3 = await workspace.listExecutions({ limit: 2, cursor: page2.next_cursor! });
    expect([...page1.items, ...page2.items, ...page3.items].map((e) => e.id)).toEqual(newest.slice(0, 5));
    expect(page3.next_cursor).toBeNull();
    expect((await refusal(workspace.listExecutions({ cursor: "../x" }))).code).toBe("bad_request");
    expect((await refusal(workspace.listExecutions({ limit: 1000 }))).code).toBe("bad_request");
    expect((await refusal(workspace.getExecution("../../etc/passwd"))).code).toBe("not_found");
  });

  it("runs a backup's content when asked for its version", async () => {
    await workspace.createTask("greeter", taskFiles());
    await workspace.saveTask("greeter", taskFiles({ version: "2.0.0", code: "(function(input) { return { greeting: 'hi ' + input.name }; })" }), "v2");
    const [backup] = await workspace.listBackups("greeter");
    const old = await workspace.execute("greeter", { name: "x" }, { trigger: "mcp", version: backup!.id });
    expect(old).toMatchObject({ version: "1.0.0", output: { greeting: "hello x" } });
    expect((await workspace.execute("greeter", { name: "x" }, { trigger: "mcp" })).output).toEqual({ greeting: "hi x" });
  });

  it("runs the tests, or only one test file", async () => {
    const tests = {
      "tests/a.json": { name: "passes", input: { name: "a" }, expected_output: { greeting: "hello a" } },
      "tests/b.json": { name: "fails", input: { name: "b" }, expected_output: { greeting: "nope" } },
    };
    await workspace.createTask("greeter", taskFiles({ tests }));
    const report = await workspace.runTests("greeter");
    expect(report).toMatchObject({ passed: 1, failed: 1 });
    const only = await workspace.runTests("greeter", { only: "tests/b.json" });
    expect(only.tests.map((t) => t.name)).toEqual(["fails"]);
    const missing = await refusal(workspace.runTests("greeter", { only: "tests/zzz.json" }));
    expect(missing.code).toBe("not_found");
    expect(missing.hint).toContain("tests/a.json");
  });
});

describe("LocalWorkspace deploy and schedules without a Ratchet", () => {
  it("says unreachable, naming the URL and ratchet serve", async () => {
    // A port nothing listens on: bound, noted, closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    workspace = new LocalWorkspace({ tasksDir, engine, config: DEFAULT_CONFIG, url });
    await workspace.createTask("greeter", taskFiles());
    const attempts = [() => workspace.deploy("greeter"), () => workspace.listSchedules(), () => workspace.createSchedule({ task: "greeter", cron: "* * * * *" }), () => workspace.deleteSchedule("s1")];
    for (const attempt of attempts) {
      const error = await refusal(attempt());
      expect(error.code).toBe("unreachable");
      expect(error.message).toContain(url);
      expect(error.hint).toContain("ratchet serve");
    }
    // Deploy validates first: an invalid task never reaches the network.
    await writeFile(join(tasksDir, "greeter", "main.js"), "(function( {");
    expect((await refusal(workspace.deploy("greeter"))).code).toBe("invalid");
  });
});
