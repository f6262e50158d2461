import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/worker/index.ts";
import { bundle, call, deploy, readableAtOnce, uniqueName } from "./support.ts";

/** Fires the Worker's scheduled() handler as the Cron Trigger would, at a chosen time. */
async function tick(at: string | number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(at).getTime(), cron: "* * * * *" }) as never, env, ctx as never);
  await waitOnExecutionContext(ctx);
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

async function executionsOf(scheduleId: string) {
  const rows = await env.DB.prepare("select id, attempt, status, retry_of, output, error_type from executions where schedule_id = ? order by started_at, attempt").bind(scheduleId).all();
  return rows.results as { id: string; attempt: number; status: string; retry_of: string | null; output: string | null; error_type: string | null }[];
}

// Schedules are global to the scheduler: each test cleans up so its ticks run only its own.
afterEach(async () => {
  await env.DB.batch([env.DB.prepare("delete from schedules"), env.DB.prepare("delete from schedule_runs")]);
});

const echoContext = "(function(input, context) { return { sum: input.a, attempt: context.attempt, scheduleId: context.scheduleId, trigger: context.trigger }; })";
const loose = { type: "object" };

async function scheduled(code: string, schedule: Record<string, unknown>) {
  const name = uniqueName("sched");
  await deploy(name, bundle({ code, input: { type: "object", required: ["a"], properties: { a: { type: "number" } } }, output: loose }));
  const created = await call("POST", "/schedules", { task: name, input: { a: 7 }, ...schedule });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { name, schedule: created.body };
}

describe("creating schedules", () => {
  it("accepts 5 fields, the 6-field form (saying seconds are ignored) and macros, with the next five runs", async () => {
    const { schedule } = await scheduled(echoContext, { cron: "*/15 * * * *", timezone: "Europe/Paris" });
    expect(schedule).toMatchObject({ cron: "*/15 * * * *", timezone: "Europe/Paris", granularity: "minute", enabled: true, retry: { max_attempts: 3, backoff_seconds: 60 }, catch_up: "skip", source: "api" });
    expect(schedule.next_runs).toHaveLength(5);
    expect(schedule.next_runs.map((t: string) => new Date(t).getUTCMinutes() % 15)).toEqual([0, 0, 0, 0, 0]);
    expect(schedule.next_runs[0]).toBe(schedule.next_run_at);

    const six = await call("POST", "/schedules", { task: schedule.task, cron: "30 0 * * * *", input: { a: 1 } });
    expect(six.status).toBe(201);
    expect(six.body.note).toMatch(/seconds field "30" is ignored/);
    for (const cron of ["@hourly", "@daily", "@weekly", "@monthly"]) {
      expect((await call("POST", "/schedules", { task: schedule.task, cron, input: { a: 1 } })).status).toBe(201);
    }
    const listed = await call("GET", `/schedules?task=${schedule.task}`);
    expect(listed.body.schedules).toHaveLength(6);
  });

  it("refuses bad input at creation with 400 saying what is wrong", async () => {
    const { name } = await scheduled(echoContext, { cron: "0 * * * *" });
    const badCron = await call("POST", "/schedules", { task: name, cron: "61 * * * *", input: { a: 1 } });
    expect(badCron.status).toBe(400);
    expect(badCron.body.error).toMatchObject({ code: "invalid_cron", details: { field: "cron" } });
    expect(badCron.body.error.message).toMatch(/minute: 61/);
    expect((await call("POST", "/schedules", { task: name, cron: "* * *", input: { a: 1 } })).body.error.message).toMatch(/5 fields/);
    expect((await call("POST", "/schedules", { task: name, cron: "0 0 31 2 *", input: { a: 1 } })).body.error.message).toMatch(/never runs/);
    const badZone = await call("POST", "/schedules", { task: name, cron: "0 * * * *", timezone: "Mars/Olympus", input: { a: 1 } });
    expect(badZone.body.error.code).toBe("invalid_timezone");
    const badInput = await call("POST", "/schedules", { task: name, cron: "0 * * * *", input: { a: "seven" } });
    expect(badInput.status).toBe(400);
    expect(badInput.body.error.details.issues[0].pointer).toBe("/a");
    const noTask = await call("POST", "/schedules", { task: "no-such-task", cron: "0 * * * *" });
    expect(noTask.body.error.code).toBe("invalid_task");
    expect((await call("POST", "/schedules", { task: name })).body.error.details.issues[0].message).toMatch(/cron/);
    expect((await call("POST", "/schedules", "{bad")).body.error.code).toBe("invalid_json");
  });

  it("updates, triggers, lists runs and deletes", async () => {
    const { schedule } = await scheduled(echoContext, { cron: "0 * * * *" });
    const patched = await call("PATCH", `/schedules/${schedule.id}`, { cron: "*/5 * * * *", input: { a: 9 } });
    expect(patched.body).toMatchObject({ cron: "*/5 * * * *", input: { a: 9 } });
    expect((await call("PATCH", `/schedules/${schedule.id}`, { timezone: "Nowhere/City" })).status).toBe(400);
    expect((await call("PATCH", `/schedules/${schedule.id}`, {})).status).toBe(400);

    const triggered = await call("POST", `/schedules/${schedule.id}/trigger`);
    expect(triggered.status).toBe(200);
    expect(triggered.body.output).toEqual({ sum: 9, attempt: 1, scheduleId: schedule.id, trigger: "schedule" });

    expect((await call("DELETE", `/schedules/${schedule.id}`)).status).toBe(200);
    expect((await call("GET", `/schedules/${schedule.id}`)).status).toBe(404);
    expect((await call("GET", `/schedules/${schedule.id}/runs`)).status).toBe(404);
  });
});

describe("the scheduler", () => {
  it("runs a due slot once, as an execution with trigger, schedule id and attempt", async () => {
    const { schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    const slot = schedule.next_run_at;
    await tick(plus(slot, -1000));
    expect(await executionsOf(schedule.id)).toHaveLength(0);
    await tick(plus(slot, 3000));
    await tick(plus(slot, 20_000));
    const runs = await executionsOf(schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ attempt: 1, status: "completed" });
    expect(JSON.parse(runs[0]!.output!)).toEqual({ sum: 7, attempt: 1, scheduleId: schedule.id, trigger: "schedule" });

    const after = await call("GET", `/schedules/${schedule.id}`);
    expect(after.body).toMatchObject({ next_run_at: plus(slot, 5 * 60_000), last_run: { status: "completed", execution_id: runs[0]!.id }, counts: { runs: 1, failures: 0 } });
    const history = await call("GET", `/schedules/${schedule.id}/runs`);
    expect(history.body.runs).toEqual([expect.objectContaining({ slot, status: "completed", attempts: 1, first_execution_id: runs[0]!.id })]);
  });

  it("runs every due slot in one tick, more than one batch of them", async () => {
    const { name, schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    const ids = [schedule.id];
    for (let batch = 0; batch < 6; batch++) {
      const created = await Promise.all(Array.from({ length: 20 }, () => call("POST", "/schedules", { task: name, cron: "*/5 * * * *", input: { a: 1 } })));
      ids.push(...created.map((c) => c.body.id as string));
    }
    await tick(plus(schedule.next_run_at, 1000));
    const ran = await env.DB.prepare("select count(distinct schedule_id) as n from executions where task_name = ? and trigger = 'schedule'").bind(name).first<{ n: number }>();
    expect(ran?.n).toBe(ids.length);
  });

  it("leaves a scheduled run readable at once: as soon as the tick is done, before its waitUntil work settles", async () => {
    const { name, schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(plus(schedule.next_run_at, 1000)), cron: "* * * * *" }) as never, env, ctx as never);
    const id = (await call("GET", `/schedules/${schedule.id}`)).body.last_run.execution_id;
    expect(id).toEqual(expect.any(String));
    await readableAtOnce(id, name, "schedule");
    await waitOnExecutionContext(ctx);
  });

  it("never runs a slot twice when triggers overlap", async () => {
    const { schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    const at = plus(schedule.next_run_at, 2000);
    await Promise.all([tick(at), tick(at), tick(at)]);
    expect(await executionsOf(schedule.id)).toHaveLength(1);
  });

  it("retries a failed run with exponential backoff, each attempt its own execution linked to the first", async () => {
    const failsTwice = "(function(input, context) { if (context.attempt < 3) throw new NetworkError('attempt ' + context.attempt + ' failed'); return { sum: context.attempt }; })";
    const { schedule } = await scheduled(failsTwice, { cron: "*/5 * * * *", retry: { max_attempts: 3, backoff_seconds: 10 } });
    const t0 = plus(schedule.next_run_at, 1000);
    await tick(t0);
    let runs = await executionsOf(schedule.id);
    expect(runs.map((r) => [r.attempt, r.status, r.error_type])).toEqual([[1, "failed", "NetworkError"]]);
    const waiting = (await call("GET", `/schedules/${schedule.id}/runs`)).body.runs[0];
    expect(waiting).toMatchObject({ status: "retry_wait", attempts: 1, next_attempt_at: plus(t0, 10_000) });

    await tick(plus(t0, 9_000));
    expect(await executionsOf(schedule.id)).toHaveLength(1);
    const t1 = plus(t0, 10_000);
    await tick(t1);
    runs = await executionsOf(schedule.id);
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([[1, "failed"], [2, "failed"]]);
    expect((await call("GET", `/schedules/${schedule.id}/runs`)).body.runs[0].next_attempt_at).toBe(plus(t1, 20_000));

    await tick(plus(t1, 20_000));
    runs = await executionsOf(schedule.id);
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([[1, "failed"], [2, "failed"], [3, "completed"]]);
    expect(runs[1]!.retry_of).toBe(runs[0]!.id);
    expect(runs[2]!.retry_of).toBe(runs[0]!.id);
    const finalRun = (await call("GET", `/schedules/${schedule.id}/runs`)).body.runs[0];
    expect(finalRun).toMatchObject({ status: "completed", attempts: 3, first_execution_id: runs[0]!.id, last_execution_id: runs[2]!.id });
    expect((await call("GET", `/schedules/${schedule.id}`)).body.counts).toEqual({ runs: 3, failures: 2 });
  });

  it("stops retrying at max_attempts", async () => {
    const { schedule } = await scheduled("(function() { throw new Error('always'); })", { cron: "*/5 * * * *", retry: { max_attempts: 2, backoff_seconds: 1 } });
    const t0 = plus(schedule.next_run_at, 500);
    await tick(t0);
    await tick(plus(t0, 1000));
    await tick(plus(t0, 60_000));
    expect((await executionsOf(schedule.id)).map((r) => r.attempt)).toEqual([1, 2]);
    expect((await call("GET", `/schedules/${schedule.id}/runs`)).body.runs[0]).toMatchObject({ status: "failed", attempts: 2, next_attempt_at: null });
  });

  it("after downtime skips missed slots under 'skip' and runs once under 'once'", async () => {
    const skip = await scheduled(echoContext, { cron: "*/15 * * * *", catch_up: "skip" });
    const once = await call("POST", "/schedules", { task: skip.name, cron: "*/15 * * * *", catch_up: "once", input: { a: 1 } });
    const slot = skip.schedule.next_run_at;
    const late = plus(slot, 50 * 60_000 + 5000);
    await tick(late);
    expect(await executionsOf(skip.schedule.id)).toHaveLength(0);
    expect((await call("GET", `/schedules/${skip.schedule.id}`)).body.next_run_at).toBe(plus(slot, 60 * 60_000));
    expect(await executionsOf(once.body.id)).toHaveLength(1);
    const runs = (await call("GET", `/schedules/${once.body.id}/runs`)).body.runs;
    expect(runs).toEqual([expect.objectContaining({ slot: plus(slot, 45 * 60_000), status: "completed" })]);
    await tick(plus(late, 1000));
    expect(await executionsOf(once.body.id)).toHaveLength(1);
  });

  it("pauses a schedule whose task was deleted, with the reason, instead of failing every minute", async () => {
    const { name, schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    await call("DELETE", `/tasks/${name}`);
    await tick(plus(schedule.next_run_at, 1000));
    const paused = await call("GET", `/schedules/${schedule.id}`);
    expect(paused.body).toMatchObject({ enabled: false, next_run_at: null, next_runs: [] });
    expect(paused.body.paused_reason).toMatch(new RegExp(`No task named ${name}`));
    await tick(plus(schedule.next_run_at, 5 * 60_000 + 1000));
    expect(await executionsOf(schedule.id)).toHaveLength(0);
  });

  it("pauses a schedule whose task was disabled, with the reason", async () => {
    const { name, schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    await call("PATCH", `/tasks/${name}`, { enabled: false });
    await tick(plus(schedule.next_run_at, 1000));
    const paused = await call("GET", `/schedules/${schedule.id}`);
    expect(paused.body).toMatchObject({ enabled: false, paused_reason: `Task ${name} is disabled` });
    expect(await executionsOf(schedule.id)).toHaveLength(0);
  });

  it("fails only the run whose bundle cannot be loaded; the other schedules of the tick still run", async () => {
    // Its own code, so its bundle hash is new and not already cached by an earlier test's run.
    const broken = await scheduled(`${echoContext} // ${uniqueName("broken")}`, { cron: "*/5 * * * *", retry: { max_attempts: 1 } });
    const healthy = await scheduled(echoContext, { cron: "*/5 * * * *" });
    expect(healthy.schedule.next_run_at).toBe(broken.schedule.next_run_at);
    const task = await call("GET", `/tasks/${broken.name}`);
    // Storage loses the bundle object (content-addressed: bundles/sha256/<hex>.json).
    await env.BUNDLES.delete(`bundles/${task.body.current_version.hash.replace(":", "/")}.json`);
    await tick(plus(broken.schedule.next_run_at, 1000));
    expect((await call("GET", `/schedules/${broken.schedule.id}/runs`)).body.runs).toEqual([expect.objectContaining({ status: "failed" })]);
    expect((await call("GET", `/schedules/${broken.schedule.id}`)).body.enabled).toBe(true);
    expect((await call("GET", `/schedules/${healthy.schedule.id}/runs`)).body.runs).toEqual([expect.objectContaining({ status: "completed" })]);
  });

  it("does not run a schedule the user disabled, and resumes from the next slot when enabled", async () => {
    const { schedule } = await scheduled(echoContext, { cron: "*/5 * * * *" });
    await call("PATCH", `/schedules/${schedule.id}`, { enabled: false });
    await tick(plus(schedule.next_run_at, 1000));
    expect(await executionsOf(schedule.id)).toHaveLength(0);
    const resumed = await call("PATCH", `/schedules/${schedule.id}`, { enabled: true });
    expect(resumed.body).toMatchObject({ enabled: true, paused_reason: null });
    expect(Date.parse(resumed.body.next_run_at)).toBeGreaterThan(Date.now());
  });
});

describe("schedules declared in metadata.json", () => {
  it("ship with the task: created on deploy, updated in place, removed with the declaration", async () => {
    const name = uniqueName("declared");
    const withSchedules = (version: string, schedules: object[]) => {
      const doc = bundle({ version });
      return { ...doc, metadata: { ...doc.metadata, schedules } };
    };
    await deploy(name, withSchedules("1.0.0", [{ cron: "0 * * * *", input: { a: 1, b: 2 } }]));
    let listed = (await call("GET", `/schedules?task=${name}`)).body.schedules;
    expect(listed).toEqual([expect.objectContaining({ cron: "0 * * * *", source: "metadata", input: { a: 1, b: 2 } })]);
    const id = listed[0].id;

    await deploy(name, withSchedules("1.1.0", [{ cron: "30 * * * *", input: { a: 3, b: 4 }, timezone: "Asia/Tokyo" }]));
    listed = (await call("GET", `/schedules?task=${name}`)).body.schedules;
    expect(listed).toEqual([expect.objectContaining({ id, cron: "30 * * * *", timezone: "Asia/Tokyo", input: { a: 3, b: 4 } })]);

    await deploy(name, withSchedules("1.2.0", []));
    expect((await call("GET", `/schedules?task=${name}`)).body.schedules).toEqual([]);
  });

  it("refuses a bundle whose declared schedule is invalid, pointing at it", async () => {
    const doc = bundle();
    const reply = await call("PUT", `/tasks/${uniqueName("badsched")}`, { ...doc, metadata: { ...doc.metadata, schedules: [{ cron: "0 25 * * *", input: { a: "x" } }] } });
    expect(reply.status).toBe(400);
    const pointers = reply.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort();
    expect(pointers).toContain("/schedules/0/cron");
    expect(pointers.filter((p: string) => p.startsWith("/schedules/0/input")).length).toBeGreaterThan(0);
  });
});
