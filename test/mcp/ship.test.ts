import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeProcess } from "../support/serve-process.ts";
import { openRunFixture, type RunFixture } from "./run-fixture.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let work: string;
let server: ServeProcess;
let base: string;
let fx: RunFixture;

/** One `ratchet serve` (the built CLI, on a free port, an empty tasks folder of its own) for the whole file. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-mcp-ship-"));
  await mkdir(join(work, "served"));
  server = startServe(process.execPath, [join(ROOT, "bin/ratchet.js"), "serve", "--port", "0", "--tasks-dir", "served", "--no-watch"], work);
  [, base] = (await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
  fx = await openRunFixture({ url: base });
  await fx.task("greet", `(function(input) { return { greeting: "hello " + input.name }; })`, {
    input: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
  });
}, 180_000);

afterAll(async () => {
  await fx?.close();
  server?.child.kill("SIGTERM");
  await server?.exited;
  await rm(work, { recursive: true, force: true });
});

const call = (name: string, args: Record<string, unknown>) => fx.mcp.call(name, args);

describe("ship tools against a running ratchet serve", () => {
  it("ratchet_deploy_task: deploys the folder (created, then unchanged), and the server runs it", async () => {
    const created = await call("ratchet_deploy_task", { task_id_or_path: "greet" });
    expect(created).toMatchObject({ name: "greet", version: "1.0.0", status: "created" });
    expect(created.hash).toMatch(/^sha256:/);
    expect(await call("ratchet_deploy_task", { task_id_or_path: "greet" })).toMatchObject({ status: "unchanged" });
    const response = await fetch(`${base}/api/v1/run/greet`, { method: "POST", body: JSON.stringify({ name: "Ada" }) });
    expect(await response.json()).toEqual({ greeting: "hello Ada" });
    expect(await call("ratchet_deploy_task", { task_id_or_path: "../outside" })).toMatch(/bad_request|not_found/);
  });

  it("ratchet_schedule_task, ratchet_list_schedules and ratchet_unschedule_task", async () => {
    await call("ratchet_deploy_task", { task_id_or_path: "greet" });
    const created = await call("ratchet_schedule_task", { task_id: "greet", cron: "*/5 * * * *", input: { name: "cron" }, timezone: "Europe/Paris", max_attempts: 2 });
    expect(created.schedule).toMatchObject({ task: "greet", cron: "*/5 * * * *" });
    expect(created.next_runs).toHaveLength(3);
    expect(new Date(created.next_runs[0]).getUTCMinutes() % 5).toBe(0);
    const listed = await call("ratchet_list_schedules", { task_id: "greet" });
    expect(listed.schedules.map((s: any) => s.id)).toEqual([created.schedule.id]);
    expect(listed.schedules[0]).toMatchObject({ timezone: "Europe/Paris" });
    expect(await call("ratchet_unschedule_task", { schedule_id: created.schedule.id })).toEqual({ deleted: created.schedule.id });
    expect((await call("ratchet_list_schedules", {})).schedules).toEqual([]);
    expect(await call("ratchet_unschedule_task", { schedule_id: created.schedule.id })).toMatch(/not_found/);
  });

  it("refuses a bad cron expression before sending it, and a schedule of a task not deployed", async () => {
    expect(await call("ratchet_schedule_task", { task_id: "greet", cron: "every minute" })).toMatch(/bad_request: cron: .*5 fields/);
    expect(await call("ratchet_schedule_task", { task_id: "greet", cron: "* * * * *", timezone: "Mars/Olympus" })).toMatch(/Unknown time zone/);
    expect(await call("ratchet_schedule_task", { task_id: "never-deployed", cron: "* * * * *" })).toMatch(/never-deployed/);
  });
});

describe("ship tools with no server", () => {
  it("say that nothing answers at the URL", async () => {
    const offline = await openRunFixture({ url: "http://127.0.0.1:1" });
    try {
      await offline.task("lonely", `(function() { return {}; })`);
      expect(await offline.mcp.call("ratchet_deploy_task", { task_id_or_path: "lonely" })).toMatch(/unreachable/);
      expect(await offline.mcp.call("ratchet_list_schedules", {})).toMatch(/unreachable/);
    } finally {
      await offline.close();
    }
  });
});
