import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/ops/config.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { LocalWorkspace } from "../../src/ops/workspace/local-workspace.ts";
import { runProcess } from "../support/process.ts";

const BIN = resolve(import.meta.dirname, "../../bin/ratchet.js");
/** No RATCHET_URL: `ratchet executions` reads the local history. */
const ratchet = (cwd: string, ...args: string[]) => runProcess(process.execPath, [BIN, ...args], cwd, { RATCHET_URL: "" });

const files = {
  "metadata.json": JSON.stringify({ uuid: "0b6d4f43-9d3b-4c6b-9a57-5a5c1bd3b0c4", version: "1.2.0", label: "Fetcher" }),
  "main.js": `(function(input) {
    console.log("fetching");
    var r = fetch(input.url + "/json");
    return { hello: r.body.hello };
  })`,
  "input.schema.json": JSON.stringify({ type: "object", required: ["url"], properties: { url: { type: "string" }, token: { type: "string" } } }),
  "output.schema.json": JSON.stringify({ type: "object", required: ["hello"] }),
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-history-"));
  await mkdir(join(work, "tasks", "fetcher"), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(work, "tasks", "fetcher", name), text);
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe("one local history for the CLI and the workspace", () => {
  it("run-once records in the tasks folder's history; executions (no --url) lists and shows it", async () => {
    const input = JSON.stringify({ url: inject("upstreamUrl"), token: "s3cret-token" });
    const ran = await ratchet(work, "run-once", "tasks/fetcher", "--input-json", input);
    expect(ran.code).toBe(0);
    const quiet = await ratchet(work, "run-once", "tasks/fetcher", "--input-json", input, "--no-record-history");
    expect(quiet.code).toBe(0);

    // From the folder holding tasks/ (the default), and with --tasks-dir from elsewhere.
    const listed = await ratchet(work, "executions");
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split("\n").slice(1);
    expect(rows).toHaveLength(1);
    const [, task, version, trigger, status, , , id] = rows[0]!.split("\t");
    expect({ task, version, trigger, status }).toEqual({ task: "fetcher", version: "1.2.0", trigger: "cli", status: "completed" });
    expect((await ratchet(tmpdir(), "executions", "--tasks-dir", join(work, "tasks"), "--json")).stdout).toContain(id!);

    const shown = await ratchet(work, "executions", "show", id!);
    expect(shown.code).toBe(0);
    const record = JSON.parse(shown.stdout);
    expect(record).toMatchObject({ id, output: { hello: "world" }, input: { token: "redacted" }, logs: [{ level: "log", message: "fetching" }] });
    expect(shown.stdout).not.toContain("s3cret-token");

    // The workspace reads the same store in the same format, and its runs show in the CLI.
    const workspace = new LocalWorkspace({ tasksDir: join(work, "tasks"), engine: createLocalEngine(), config: DEFAULT_CONFIG });
    expect(await workspace.getExecution(id!)).toEqual(record);
    const viaMcp = await workspace.execute("fetcher", { url: inject("upstreamUrl") }, { trigger: "mcp" });
    const both = await ratchet(work, "executions", "--json");
    expect((JSON.parse(both.stdout) as { id: string }[]).map((e) => e.id)).toEqual([viaMcp.id, id]);
    expect((await ratchet(work, "executions", "--trigger", "mcp", "--json")).stdout).not.toContain(id!);

    const missing = await ratchet(work, "executions", "show", "01900000-0000-7000-8000-000000000000");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no execution");
  });
});
