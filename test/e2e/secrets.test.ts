import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTaskFolder } from "../../src/ops/task-folder.ts";
import { runProcess } from "../support/process.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");
// The built CLI on the machine's Node, as an installed package runs it.
const NODE = "/usr/bin/node";
const ratchet = (cwd: string, ...args: string[]) => runProcess(NODE, [BIN, ...args], cwd);
/** `ratchet ...` with `stdin` piped in, through a shell as a user types it. */
const piped = (cwd: string, stdin: string, ...args: string[]) =>
  runProcess("bash", ["-c", `printf %s "$SECRET_STDIN" | "${NODE}" "${BIN}" ${args.map((a) => `'${a}'`).join(" ")}`], cwd, { SECRET_STDIN: stdin });

const FILE_VALUE = "file-value-5d1c";
const FLAG_VALUE = "flag-value-77aa";

/** Returns what it can say about its secrets without them, and logs the key. */
const TASK = {
  "metadata.json": JSON.stringify({ uuid: "0b6f5a4e-2c1d-4e3f-8a9b-1c2d3e4f5a6b", version: "1.0.0", label: "Uses secrets" }),
  "main.js": `(function(input, context) {
  console.log("key is " + context.secrets.API_KEY);
  var names = Object.keys(context.secrets).sort();
  return { names: names, keyLength: (context.secrets.API_KEY || "").length, prefix: (context.secrets.API_KEY || "").slice(0, 5), quotedWords: (context.secrets.QUOTED || "").split(" ").length };
})`,
  "input.schema.json": "{}",
  "output.schema.json": "{}",
  "tests/uses-key.json": JSON.stringify({ name: "reads the key", input: {}, expected_output: { names: ["API_KEY", "QUOTED"], keyLength: FILE_VALUE.length } }),
  ".secrets": `# local secrets\nAPI_KEY=${FILE_VALUE}\n\nexport QUOTED="two words"\n`,
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-secrets-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeTask(dir: string, files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe("secrets on this machine: run-once, test, generate", () => {
  it("run-once reads .secrets beside the task, --secret overrides it, and nothing printed or kept holds the value", async () => {
    const dir = await writeTask(join(work, "tasks/local"), TASK);
    const ran = await ratchet(work, "run-once", dir);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ names: ["API_KEY", "QUOTED"], keyLength: FILE_VALUE.length, prefix: "file-", quotedWords: 2 });
    expect(ran.stderr).toContain("[log] key is [redacted:API_KEY]");
    expect(ran.stderr + ran.stdout).not.toContain(FILE_VALUE);

    const flagged = await ratchet(work, "run-once", dir, "--secret", `API_KEY=${FLAG_VALUE}`, "--secret", "EXTRA=x1", "--input-json", JSON.stringify({ echo: FLAG_VALUE }), "--record", join(work, "rec"));
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(JSON.parse(flagged.stdout)).toMatchObject({ names: ["API_KEY", "EXTRA", "QUOTED"], keyLength: FLAG_VALUE.length, prefix: "flag-" });
    expect(flagged.stderr).not.toContain(FLAG_VALUE);
    expect(JSON.parse(await readFile(join(work, "rec/input.json"), "utf8"))).toEqual({ echo: "[redacted:API_KEY]" });
    // The local history (tasks/.ratchet/history) keeps the input redacted, and no other trace of either value.
    const historyDir = join(work, "tasks/.ratchet/history");
    const kept = await Promise.all((await readdir(historyDir)).map((name) => readFile(join(historyDir, name), "utf8")));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const text of kept) {
      expect(text).not.toContain(FILE_VALUE);
      expect(text).not.toContain(FLAG_VALUE);
    }
    expect(kept.join("\n")).toContain("[redacted:API_KEY]");
  });

  it("ratchet test gives the tests the same secrets, --secret included", async () => {
    const dir = join(work, "tasks/local");
    const tested = await ratchet(work, "test", dir);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain("1 passed, 0 failed");
    const overridden = await ratchet(work, "test", dir, "--secret", `API_KEY=${FLAG_VALUE}-longer`);
    expect(overridden.code).toBe(1);
    expect(overridden.stdout).toContain("0 passed, 1 failed");
  });

  it("refuses a bad .secrets line or --secret flag, naming the line and never the value", async () => {
    const dir = await writeTask(join(work, "tasks/bad"), { ...TASK, ".secrets": `API_KEY=ok\nnot a secret line with hunter2\n` });
    const ran = await ratchet(work, "run-once", dir);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`${join(dir, ".secrets")} line 2 is not NAME=VALUE`);
    expect(ran.stderr).not.toContain("hunter2");
    await writeFile(join(dir, ".secrets"), "API_KEY=ok\n\n1BAD=hunter2\n");
    expect((await ratchet(work, "test", dir)).stderr).toContain('line 3: secret name "1BAD" is not valid');
    const flag = await ratchet(work, "run-once", join(work, "tasks/local"), "--secret", "hunter2");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--secret takes NAME=VALUE");
    expect(flag.stderr).not.toContain("hunter2");
  });

  it("generate writes a .gitignore that keeps .secrets out of git; a task folder's files never include .secrets, nor does a clone", async () => {
    expect((await ratchet(work, "generate", "task", "fresh", "--dir", work)).code).toBe(0);
    expect((await readFile(join(work, "fresh/.gitignore"), "utf8")).split("\n")).toContain(".secrets");
    // What deploy, serve and MCP export read of a folder: .secrets is not among it.
    expect(Object.keys(await readTaskFolder(join(work, "tasks/local"))).sort()).toEqual(["input.schema.json", "main.js", "metadata.json", "output.schema.json", "tests/uses-key.json"]);
    // A clone is another task: it does not take the source's secrets.
    expect((await ratchet(work, "clone", "task", join(work, "tasks/local"), join(work, "cloned"))).code).toBe(0);
    expect((await readdir(join(work, "cloned"))).sort()).toEqual(["input.schema.json", "main.js", "metadata.json", "output.schema.json", "tests"]);
  });
});

describe("secrets through ratchet serve", () => {
  let server: ServeProcess | undefined;
  let base = "";
  const serveDir = () => join(work, "served");
  const start = async () => {
    server = startServe(NODE, [BIN, "serve", "--port", "0", "--no-watch"], serveDir());
    [, base] = (await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
    await server.waitFor(/tasks deployed/, 60_000);
  };
  // SIGTERM: serve stops workerd with it (a SIGKILL would leave workerd running).
  const stop = async () => {
    if (!server) return;
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    server = undefined;
  };
  const run = async (name: string) => (await fetch(`${base}/api/v1/run/${name}`, { method: "POST", body: "{}" })).json();
  afterAll(stop);

  it("sends a folder's .secrets on deploy; secret put reads stdin, list shows names, delete removes; secrets survive a restart", async () => {
    await writeTask(join(serveDir(), "tasks/served"), TASK);
    await start();
    expect(server!.log()).toMatch(/made a key for task secrets in .*\.ratchet\/state\/secrets\.key/);
    expect(server!.log()).toContain("served: secrets from .secrets sent: API_KEY, QUOTED");
    expect(await run("served")).toEqual({ names: ["API_KEY", "QUOTED"], keyLength: FILE_VALUE.length, prefix: "file-", quotedWords: 2 });

    const put = await piped(work, "from-stdin-value\n", "secret", "put", "served", "STDIN_KEY", "--url", base);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toContain("created secret STDIN_KEY of served");
    expect(put.stdout + put.stderr).not.toContain("from-stdin-value");
    const listed = await ratchet(work, "secret", "list", "served", "--url", base);
    expect(listed.stdout.split("\n").map((line) => line.split("\t")[0])).toEqual(["NAME", "API_KEY", "QUOTED", "STDIN_KEY", ""]);
    expect(listed.stdout).not.toContain(FILE_VALUE);
    expect(((await run("served")) as { names: string[] }).names).toEqual(["API_KEY", "QUOTED", "STDIN_KEY"]);

    // No value on stdin (runProcess gives none): refused, nothing sent.
    const empty = await ratchet(work, "secret", "put", "served", "EMPTY", "--url", base);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no value for EMPTY on stdin; pipe it in");
    const bad = await piped(work, "v", "secret", "put", "served", "bad-name", "--url", base);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Secret name "bad-name" is not valid');

    await stop();
    await start();
    expect(server!.log()).toContain("task secrets are encrypted with the key in");
    expect(((await run("served")) as { names: string[] }).names).toEqual(["API_KEY", "QUOTED", "STDIN_KEY"]);
    const deleted = await ratchet(work, "secret", "delete", "served", "STDIN_KEY", "--url", base);
    expect([deleted.code, deleted.stdout.trim()]).toEqual([0, "deleted secret STDIN_KEY of served"]);
    expect(((await run("served")) as { names: string[] }).names).toEqual(["API_KEY", "QUOTED"]);
    const again = await ratchet(work, "secret", "delete", "served", "STDIN_KEY", "--url", base);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("404 not_found: Task served has no secret STDIN_KEY");
  }, 300_000);
});

describe("secrets in the MCP stdio host", () => {
  it("runs a task with its folder's .secrets, tests included, and no tool result holds the value", async () => {
    const tasksDir = join(work, "mcp-tasks");
    await writeTask(join(tasksDir, "with-secrets"), TASK);
    const client = new Client({ name: "ratchet-secrets-test", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: NODE, args: [BIN, "mcp-serve", "--transport", "stdio", "--tasks-dir", tasksDir], stderr: "pipe" }));
    try {
      const ran = (await client.callTool({ name: "ratchet_execute_task", arguments: { task_id_or_path: "with-secrets", input: { note: FILE_VALUE } } })) as CallToolResult;
      expect(ran.isError).toBeFalsy();
      expect(ran.structuredContent).toMatchObject({ status: "completed", output: { names: ["API_KEY", "QUOTED"], keyLength: FILE_VALUE.length, quotedWords: 2 } });
      const tested = (await client.callTool({ name: "ratchet_test_task", arguments: { task_id: "with-secrets" } })) as CallToolResult;
      expect(tested.structuredContent).toMatchObject({ passed: 1, failed: 0 });
      for (const result of [ran, tested]) expect(JSON.stringify(result)).not.toContain(FILE_VALUE);
      expect(JSON.stringify(ran)).toContain("[redacted:API_KEY]");
    } finally {
      await client.close();
    }
  }, 120_000);
});
