import { describe, expect, it } from "vitest";
import { bundle, call, deploy, readableAtOnce, uniqueName } from "./support.ts";

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
    await call("DELETE", `/schedules/${created.body.id}`);
  });
});
