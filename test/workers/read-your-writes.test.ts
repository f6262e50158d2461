import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/worker/index.ts";
import { bundle, call, deploy, uniqueName } from "./support.ts";

/**
 * An execution id the platform hands out is readable by the very next request: the record is in
 * D1 before the response (or before the scheduler moves on). No waiting, no retrying here.
 */
async function readableAtOnce(id: string, task: string, trigger: string, status = "completed") {
  const one = await call("GET", `/executions/${id}`);
  expect(one.status, JSON.stringify(one.body)).toBe(200);
  expect(one.body).toMatchObject({ id, task, trigger, status });
  const since = new Date(Date.parse(one.body.started_at) - 1000).toISOString();
  const until = new Date(Date.parse(one.body.started_at) + 1000).toISOString();
  const lists = [
    "/executions",
    `/executions?task=${task}`,
    `/executions?status=${status}`,
    `/executions?trigger=${trigger}`,
    `/executions?task=${task}&status=${status}&trigger=${trigger}&since=${since}&until=${until}`,
  ];
  for (const list of lists) {
    const reply = await call("GET", list);
    expect(reply.status).toBe(200);
    expect(reply.body.executions[0], list).toMatchObject({ id, task });
  }
}

afterEach(async () => {
  await env.DB.batch([env.DB.prepare("delete from schedules"), env.DB.prepare("delete from schedule_runs")]);
});

describe("read-your-writes", () => {
  it("POST /tasks/{name}/execute: the id, the list and its filters show the execution at once", async () => {
    const name = uniqueName("ryw-execute");
    await deploy(name);
    const reply = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 2 });
    expect(reply.status).toBe(200);
    await readableAtOnce(reply.body.execution_id, name, "http");
  });

  it("POST /run/{name}, a failure too", async () => {
    const name = uniqueName("ryw-run");
    await deploy(name, bundle({ code: "(function(input) { if (input.a < 0) throw new Error('negative'); return { sum: input.a + input.b }; })" }));
    const ok = await call("POST", `/run/${name}`, { a: 1, b: 2 });
    await readableAtOnce(ok.headers.get("x-ratchet-execution-id")!, name, "http");
    const failed = await call("POST", `/run/${name}`, { a: -1, b: 2 });
    expect(failed.status).toBe(422);
    await readableAtOnce(failed.headers.get("x-ratchet-execution-id")!, name, "http", "failed");
  });

  it("many at once: every id answered is readable by the next request", async () => {
    const name = uniqueName("ryw-burst");
    await deploy(name);
    const replies = await Promise.all(Array.from({ length: 25 }, (_, i) => call("POST", `/run/${name}`, { a: i, b: 0 })));
    const found = await Promise.all(replies.map((r) => call("GET", `/executions/${r.headers.get("x-ratchet-execution-id")}`)));
    expect(found.map((f) => f.status)).toEqual(replies.map(() => 200));
    expect((await call("GET", `/executions?task=${name}&limit=200`)).body.executions).toHaveLength(25);
  });

  it("POST /schedules/{id}/trigger", async () => {
    const name = uniqueName("ryw-trigger");
    await deploy(name, bundle({ output: { type: "object" } }));
    const created = await call("POST", "/schedules", { task: name, cron: "0 0 1 1 *", input: { a: 1, b: 1 } });
    const reply = await call("POST", `/schedules/${created.body.id}/trigger`);
    expect(reply.status).toBe(200);
    await readableAtOnce(reply.body.execution_id, name, "schedule");
  });

  it("a scheduled run: readable as soon as the tick is done, before its waitUntil work settles", async () => {
    const name = uniqueName("ryw-tick");
    await deploy(name, bundle({ output: { type: "object" } }));
    const created = await call("POST", "/schedules", { task: name, cron: "* * * * *", input: { a: 2, b: 3 } });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(created.body.next_run_at), cron: "* * * * *" }) as never, env, ctx as never);
    const schedule = await call("GET", `/schedules/${created.body.id}`);
    const id = schedule.body.last_run.execution_id;
    expect(id).toEqual(expect.any(String));
    await readableAtOnce(id, name, "schedule");
    await waitOnExecutionContext(ctx);
  });
});
