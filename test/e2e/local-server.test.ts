import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runProcess } from "../support/process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

let server: ChildProcess;
let base: string;
let state: string;
let log = "";

/** Starts the product the way the README says (`npm start`), on its own port and state folder. */
beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "ratchet-state-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn("npm", ["start"], { cwd: ROOT, env: { ...process.env, PORT: String(port), RATCHET_STATE_DIR: state }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (chunk) => (log += chunk));
  server.stderr!.on("data", (chunk) => (log += chunk));
  // Ready once it has deployed tasks/ (it answers /health a moment before, while it applies the migrations).
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const up = /tasks deployed/.test(log) && (await fetch(`${base}/health`).then((r) => r.ok, () => false));
    if (up) return;
    if (server.exitCode !== null) break;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`npm start did not serve ${base}/health:\n${log}`);
}, 120_000);

afterAll(async () => {
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
  await new Promise((done) => setTimeout(done, 500));
  await rm(state, { recursive: true, force: true });
});

describe("npm start, then the CLI against it", () => {
  it("says how it serves and whether the API is open", () => {
    expect(log).toContain(`serving the Worker on ${base}`);
    expect(log).toMatch(/no RATCHET_API_TOKEN/);
  });

  it("deploys a task with the CLI, runs it over HTTP with a guest fetch, and reads its execution back", async () => {
    const work = await mkdtemp(join(tmpdir(), "ratchet-e2e-"));
    const dir = join(work, "greeter");
    await mkdir(join(dir, "tests"), { recursive: true });
    await writeFile(join(dir, "metadata.json"), JSON.stringify({ uuid: "8c2f6a40-1b7e-4d8e-9f3a-5e6d7c8b9a01", version: "1.0.0", label: "Greeter" }));
    await writeFile(
      join(dir, "main.js"),
      `(function(input, context) {
        var upstream = fetch(input.url + "/json?who=" + encodeURIComponent(input.who));
        console.info("upstream said " + upstream.body.hello);
        return { greeting: "hello " + upstream.body.query.who, trigger: context.trigger };
      })`,
    );
    await writeFile(join(dir, "input.schema.json"), JSON.stringify({ type: "object", required: ["url", "who"] }));
    await writeFile(join(dir, "output.schema.json"), JSON.stringify({ type: "object", required: ["greeting"] }));

    const deployed = await runProcess(process.execPath, [BIN, "deploy", dir, "--url", base], work);
    expect(deployed.stderr).toBe("");
    expect(deployed.stdout).toMatch(/^greeter: created \(version 1\.0\.0, sha256:/);

    const response = await fetch(`${base}/api/v1/tasks/greeter/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: inject("upstreamUrl"), who: "Zoë \"q\"" }),
    });
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { execution_id: string; output: unknown };
    expect(reply.output).toEqual({ greeting: 'hello Zoë "q"', trigger: "http" });

    // Read-your-writes through ratchet serve: the id handed out is readable by the very next request, and listed.
    const [got, list] = await Promise.all([fetch(`${base}/api/v1/executions/${reply.execution_id}`), fetch(`${base}/api/v1/executions?task=greeter&status=completed`)]);
    expect(got.status).toBe(200);
    const record = (await got.json()) as Record<string, any>;
    expect(((await list.json()) as { executions: { id: string }[] }).executions.map((e) => e.id)).toContain(reply.execution_id);
    expect(record).toMatchObject({ task: "greeter", status: "completed", input: { who: 'Zoë "q"' }, output: { greeting: 'hello Zoë "q"' } });
    expect(record!.http[0]).toMatchObject({ method: "GET", status: 200 });
    expect(record!.logs[0]).toMatchObject({ level: "info", message: "upstream said world" });

    const invoked = await runProcess(process.execPath, [BIN, "invoke", "greeter", "--url", base, "--input-json", JSON.stringify({ url: inject("upstreamUrl"), who: "cli" })], work);
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({ greeting: "hello cli", trigger: "http" });

    const listed = await runProcess(process.execPath, [BIN, "executions", "--url", base, "--task", "greeter"], work);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(reply.execution_id);
    await rm(work, { recursive: true, force: true });
  });

  it("runs a schedule created with the CLI when the scheduled event fires", async () => {
    const created = await runProcess(
      process.execPath,
      [BIN, "schedule", "create", "--url", base, "--task", "addition", "--cron", "*/5 * * * *", "--input-json", '{"num1": 40, "num2": 2}'],
      ROOT,
    );
    expect(created.code, created.stderr).toBe(0);
    const id = /created schedule ([0-9a-f-]{36})/.exec(created.stdout)![1]!;
    const schedule = (await (await fetch(`${base}/api/v1/schedules/${id}`)).json()) as { next_run_at: string };

    // wrangler dev --test-scheduled fires scheduled(); `time` sets the event's scheduledTime to the slot.
    const fired = await fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("* * * * *")}&time=${Date.parse(schedule.next_run_at) + 1000}`);
    expect(fired.status).toBe(200);

    let found: { id: string; status: string } | undefined;
    for (let attempt = 0; attempt < 50 && !found; attempt++) {
      const listed = (await (await fetch(`${base}/api/v1/executions?task=addition&trigger=schedule`)).json()) as { executions: { id: string; status: string }[] };
      found = listed.executions[0];
      if (!found) await new Promise((done) => setTimeout(done, 100));
    }
    expect(found).toMatchObject({ status: "completed" });
    const record = (await (await fetch(`${base}/api/v1/executions/${found!.id}`)).json()) as Record<string, unknown>;
    expect(record).toMatchObject({ schedule_id: id, attempt: 1, input: { num1: 40, num2: 2 }, output: { sum: 42 } });

    const listed = await runProcess(process.execPath, [BIN, "schedule", "list", "--url", base, "--task", "addition"], ROOT);
    expect(listed.stdout).toContain(id);
    expect((await runProcess(process.execPath, [BIN, "schedule", "delete", id, "--url", base], ROOT)).code).toBe(0);
  });

  it("serves the sample tasks it deployed at start", async () => {
    expect(log).toMatch(/Ratchet: \d+ tasks deployed: addition, api-fetcher, data-filter, .*log-and-validate, weather-api/);
    const response = await fetch(`${base}/api/v1/run/addition`, { method: "POST", body: JSON.stringify({ num1: 20, num2: 22 }) });
    expect(await response.json()).toEqual({ sum: 42 });
    expect(response.headers.get("x-ratchet-execution-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
