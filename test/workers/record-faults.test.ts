import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { invokeTask } from "../../src/platform/execute-and-record.ts";
import { RETRY_PAUSES_MS } from "../../src/platform/record-writer.ts";
import { StorageUnavailableError } from "../../src/platform/storage-errors.ts";
import { faultyStorage } from "./faulty-storage.ts";
import { bundle, call, deploy, uniqueName } from "./support.ts";
import { countingD1, failingD1 } from "./d1-faults.ts";

const lostTotal = async () => Number(/^ratchet_execution_records_lost_total (\d+)$/m.exec((await call("GET", "/metrics")).body)?.[1]);

async function invokeWith(db: typeof env.DB, name: string) {
  const ctx = createExecutionContext();
  const invocation = await invokeTask({ ...env, DB: db }, ctx, name, { a: 1, b: 2 }, { trigger: "http" });
  const recorded = await invocation.recorded.then(
    () => true,
    (error: unknown) => error,
  );
  await waitOnExecutionContext(ctx);
  return { id: invocation.result.executionId, recorded };
}

describe("execution records when D1 fails", () => {
  it("retries a record D1 refuses until it lands", async () => {
    const name = uniqueName("flaky");
    await deploy(name);
    // Resolve the version through the real binding first: the faults are for the record only.
    await call("POST", `/run/${name}`, { a: 0, b: 0 });
    const db = failingD1(env.DB, 3);
    const { id, recorded } = await invokeWith(db, name);
    expect(recorded).toBe(true);
    expect(db.calls()).toBeGreaterThan(3);
    expect((await call("GET", `/executions/${id}`)).body).toMatchObject({ id, task: name, output: { sum: 3 } });
  });

  it("counts a record lost after every attempt in ratchet_execution_records_lost_total, and rejects `recorded` with a 503 for the host to pass on", async () => {
    const name = uniqueName("down");
    await deploy(name);
    await call("POST", `/run/${name}`, { a: 0, b: 0 });
    const before = await lostTotal();
    const db = failingD1(env.DB, Infinity);
    const { id, recorded } = await invokeWith(db, name);
    expect(recorded).toBeInstanceOf(StorageUnavailableError);
    expect(recorded).toMatchObject({ status: 503, code: "not_recorded", details: { execution_id: id, output: { sum: 3 } } });
    // A failed batch is tried again row by row: two calls per attempt for a lone record.
    expect(db.calls()).toBe(2 * (RETRY_PAUSES_MS.length + 1));
    expect(await lostTotal()).toBe(before + 1);
    expect((await call("GET", `/executions/${id}`)).status).toBe(404);
    // The isolate now refuses executions until storage answers a probe.
    await expect(invokeWith(env.DB, name)).rejects.toMatchObject({ status: 503, code: "storage_unavailable" });
    expect((await call("GET", "/health")).status).toBe(200);
    expect((await invokeWith(env.DB, name)).recorded).toBe(true);
  });

  it("retries a large record whose R2 payload write fails, like a D1 fault", async () => {
    const name = uniqueName("payload");
    await deploy(name, bundle({ code: "(function(input) { return { sum: input.a + input.b, pad: 'x'.repeat(100000) }; })", output: { type: "object" } }));
    await call("POST", `/run/${name}`, { a: 0, b: 0 });
    const storage = faultyStorage([{ on: "r2", match: /^put executions\//, times: 2 }]);
    const ctx = createExecutionContext();
    const invocation = await invokeTask(storage.env, ctx, name, { a: 1, b: 2 }, { trigger: "http" });
    await invocation.recorded;
    await waitOnExecutionContext(ctx);
    expect(storage.calls.filter((c) => c.failed)).toHaveLength(2);
    expect((await call("GET", `/executions/${invocation.result.executionId}`)).body).toMatchObject({ output: { sum: 3 } });
  });
});

describe("rows written per execution", () => {
  it("is at most 3 as D1 reports it (the row, the task index, one stats row)", async () => {
    const name = uniqueName("rows");
    await deploy(name);
    // The task's first execution: its stats row is new.
    const db = countingD1(env.DB);
    const { recorded } = await invokeWith(db, name);
    expect(recorded).toBe(true);
    expect(db.rowsWritten()).toBeGreaterThan(0);
    expect(db.rowsWritten()).toBeLessThanOrEqual(3);
    // The next execution of the same task and outcome only updates its stats row.
    const again = countingD1(env.DB);
    await invokeWith(again, name);
    expect(again.rowsWritten()).toBeLessThanOrEqual(3);
  });

  it("the Worker's own figures agree: /metrics counts rows written per record", async () => {
    const name = uniqueName("rows-metrics");
    await deploy(name);
    const figure = async (metric: string) => Number(new RegExp(`^${metric} (\\d+)$`, "m").exec((await call("GET", "/metrics")).body)?.[1]);
    const [rows0, written0] = [await figure("ratchet_execution_record_rows_written_total"), await figure("ratchet_execution_records_written_total")];
    for (let i = 0; i < 3; i++) expect((await call("POST", `/run/${name}`, { a: i, b: 0 })).status).toBe(200);
    const [rows1, written1] = [await figure("ratchet_execution_record_rows_written_total"), await figure("ratchet_execution_records_written_total")];
    expect(written1 - written0).toBe(3);
    expect((rows1 - rows0) / (written1 - written0)).toBeLessThanOrEqual(3);
  });
});

describe("EXECUTION_RECORDS=after-response (ratchet serve's one isolate)", () => {
  it("lets the host answer before the record is written, and a read in the isolate waits for it", async () => {
    const name = uniqueName("after-response");
    await deploy(name);
    await call("POST", `/run/${name}`, { a: 0, b: 0 });
    // D1 refuses the first two attempts: the record lands only after the retries' pauses.
    const db = failingD1(env.DB, 2);
    const ctx = createExecutionContext();
    const invocation = await invokeTask({ ...env, DB: db, EXECUTION_RECORDS: "after-response" }, ctx, name, { a: 2, b: 3 }, { trigger: "http" });
    let recorded = false;
    void invocation.recorded.then(() => (recorded = true));
    await invocation.answerable;
    expect(recorded).toBe(false);
    // Through the Worker, as the next request: it waits for the record instead of answering 404.
    const read = await call("GET", `/executions/${invocation.result.executionId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ task: name, output: { sum: 5 } });
    expect(recorded).toBe(true);
    expect(db.calls()).toBeGreaterThan(2);
    await waitOnExecutionContext(ctx);
  });

  it("answers only once the record is in D1 without it (a deployed Worker)", async () => {
    const name = uniqueName("before-response");
    await deploy(name);
    await call("POST", `/run/${name}`, { a: 0, b: 0 });
    const ctx = createExecutionContext();
    const invocation = await invokeTask({ ...env, DB: failingD1(env.DB, 1) }, ctx, name, { a: 2, b: 3 }, { trigger: "http" });
    let recorded = false;
    void invocation.recorded.then(() => (recorded = true));
    await invocation.answerable;
    expect(recorded).toBe(true);
    await waitOnExecutionContext(ctx);
  });
});
