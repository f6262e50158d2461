import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openRunFixture, type RunFixture } from "./run-fixture.ts";

const upstream = inject("upstreamUrl");
let fx: RunFixture;
beforeEach(async () => {
  fx = await openRunFixture();
});
afterEach(() => fx.close());

const call = (name: string, args: Record<string, unknown>) => fx.mcp.call(name, args);
const run = (task: string, input: unknown = {}) => call("ratchet_execute_task", { task_id_or_path: task, input });

const CHATTY = `(function(input) {
  for (var i = 0; i < 30; i++) {
    if (i % 10 === 9) console.warn("warn " + i); else if (i === 29) console.error("error " + i); else console.log("line " + i);
  }
  console.debug("details");
  fetch("${upstream}/json?apiKey=hidden-value&q=1");
  fetch("${upstream}/status/404");
  fetch("${upstream}/text");
  return { done: true };
})`;

describe("reading one execution", () => {
  it("ratchet_get_execution_status: how it ended, its input and output, counts and the resource link", async () => {
    await fx.task("chatty", CHATTY);
    const done = await run("chatty", { token: "t0ken", n: 1 });
    const status = await call("ratchet_get_execution_status", { execution_id: done.execution_id });
    expect(status).toMatchObject({ execution_id: done.execution_id, task: "chatty", status: "completed", trigger: "mcp", attempt: 1, output: { done: true }, error: null, log_lines: 31, http_requests: 3 });
    expect(status.input).toEqual({ token: "redacted", n: 1 });
    expect(await call("ratchet_get_execution_status", { execution_id: "missing" })).toMatch(/not_found/);
  });

  it("ratchet_get_execution_logs: a level filter and pages through limit and cursor", async () => {
    await fx.task("chatty", CHATTY);
    const { execution_id } = await run("chatty");
    const warn = await call("ratchet_get_execution_logs", { execution_id, level: "warn" });
    expect(warn.logs.map((l: any) => l.message)).toEqual(["warn 9", "warn 19", "warn 29"]);
    expect(warn).toMatchObject({ matching: 3, total: 31, next_cursor: null });
    const first = await call("ratchet_get_execution_logs", { execution_id, limit: 20 });
    expect(first.logs).toHaveLength(20);
    const second = await call("ratchet_get_execution_logs", { execution_id, limit: 20, cursor: first.next_cursor });
    expect(second.logs.map((l: any) => l.message)).toEqual(["line 20", "line 21", "line 22", "line 23", "line 24", "line 25", "line 26", "line 27", "line 28", "warn 29", "details"]);
    expect(second.next_cursor).toBeNull();
    const info = await call("ratchet_get_execution_logs", { execution_id, level: "info" });
    expect(info.matching).toBe(30);
    expect(await call("ratchet_get_execution_logs", { execution_id, cursor: "bogus" })).toMatch(/bad_request.*cursor/s);
  });

  it("ratchet_get_execution_trace: every request with status, duration and sizes, secrets in URLs redacted, paginated", async () => {
    await fx.task("chatty", CHATTY);
    const { execution_id } = await run("chatty");
    const page = await call("ratchet_get_execution_trace", { execution_id, limit: 2 });
    expect(page.totals).toMatchObject({ requests: 3, failed: 0, error_statuses: 1 });
    expect(page.totals.response_bytes).toBeGreaterThan(0);
    expect(page.requests.map((r: any) => [r.index, r.status])).toEqual([[0, 200], [1, 404]]);
    expect(page.requests[0].url).toBe(`${upstream}/json?apiKey=redacted&q=1`);
    expect(page.requests[0]).toEqual(expect.objectContaining({ method: "GET", duration_ms: expect.any(Number), request_bytes: 0, response_bytes: expect.any(Number) }));
    const rest = await call("ratchet_get_execution_trace", { execution_id, limit: 2, cursor: page.next_cursor });
    expect(rest.requests.map((r: any) => r.url)).toEqual([`${upstream}/text`]);
  });

  it("ratchet_get_execution_trace: where a redirect led, hop by hop", async () => {
    await fx.task("hops", `(function(input) { return { status: fetch(input.url).status }; })`);
    const { execution_id, output } = await run("hops", { url: `${upstream}/redirect?to=${encodeURIComponent(`${upstream}/json`)}` });
    expect(output).toEqual({ status: 200 });
    const trace = await call("ratchet_get_execution_trace", { execution_id });
    expect(trace.requests[0]).toMatchObject({ status: 200, redirects: [`${upstream}/json`] });
  });

  it("ratchet_get_execution_profile: phases, CPU, each fetch's share, and what the engine does not measure", async () => {
    await fx.task("chatty", CHATTY);
    const { execution_id } = await run("chatty");
    const profile = await call("ratchet_get_execution_profile", { execution_id });
    expect(profile.fetches).toHaveLength(3);
    expect(profile.fetch_wait_ms).toBeGreaterThan(0);
    expect(profile.fetch_share).toBeGreaterThan(0);
    expect(profile.fetch_share).toBeLessThanOrEqual(1);
    expect(profile.fetches[1]).toMatchObject({ status: 404, share: expect.any(Number) });
    expect(profile.sandbox_ms).toBeGreaterThan(0);
    expect(profile.memory_high_water_bytes).toBe("not measured");
    expect(profile.repeated_runs).toBe("not measured");
    expect(profile.limits).toMatchObject({ maxFetches: 50 });
  });
});

describe("bounded answers", () => {
  it("a run with a large output and long logs: the answers stay small, the logs page by size, the rest is reachable", async () => {
    await fx.task("verbose", `(function() {
  for (var i = 0; i < 80; i++) console.log(i + ":" + "y".repeat(3000));
  return { blob: "z".repeat(100000) };
})`);
    const raw = await fx.mcp.callRaw("ratchet_execute_task", { task_id_or_path: "verbose", input: {} });
    expect(raw.isError).toBeFalsy();
    const run = raw.structuredContent as any;
    expect(run).toMatchObject({ status: "completed", output: null, log_lines: 80 });
    expect(run.output_omitted_bytes).toBeGreaterThan(100000);
    expect(run.logs.length).toBeLessThan(80);
    expect(run.logs[0].message).toMatch(/… \(3002 characters\)$/);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.mcp.callRaw("ratchet_get_execution_logs", { execution_id: run.execution_id, limit: 500, ...(cursor ? { cursor } : {}) });
      expect(page.isError).toBeFalsy();
      const value = page.structuredContent as any;
      expect(JSON.stringify(value).length).toBeLessThan(80_000);
      seen.push(...value.logs.map((l: any) => l.message.split(":")[0]));
      cursor = value.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => String(i)));
    const status = await call("ratchet_get_execution_status", { execution_id: run.execution_id });
    expect(status).toMatchObject({ output: null, resource: `ratchet://executions/${run.execution_id}` });
  });
});

describe("history", () => {
  it("ratchet_list_executions filters by task, status and trigger, paginated; ratchet_get_task_metrics sums them up", async () => {
    await fx.task("adder", `(function(input) { if (input.a < 0) throw new DataError("negative"); return { sum: input.a + 1 }; })`);
    await fx.task("other", `(function() { return {}; })`);
    for (const a of [1, 2, 3, -1]) await run("adder", { a });
    await run("other");
    const page = await call("ratchet_list_executions", { task: "adder", limit: 3 });
    expect(page.executions).toHaveLength(3);
    expect(page.executions.every((e: any) => e.task === "adder" && e.trigger === "mcp")).toBe(true);
    const rest = await call("ratchet_list_executions", { task: "adder", limit: 3, cursor: page.next_cursor });
    expect(rest.executions).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();
    const failed = await call("ratchet_list_executions", { status: "failed" });
    expect(failed.executions.map((e: any) => [e.task, e.error_type])).toEqual([["adder", "DataError"]]);
    expect((await call("ratchet_list_executions", { trigger: "schedule" })).executions).toEqual([]);
    const metrics = await call("ratchet_get_task_metrics", { task_id: "adder" });
    expect(metrics).toMatchObject({ task: "adder", executions: 4, completed: 3, failed: 1, failure_rate: 0.25, by_trigger: { mcp: 4 }, error_types: { DataError: 1 }, window_full: false });
    expect(metrics.duration_ms.p50).toBeGreaterThan(0);
    expect(metrics.duration_ms.p95).toBeGreaterThanOrEqual(metrics.duration_ms.p50);
    const none = await call("ratchet_get_task_metrics", { task_id: "nothing-yet" });
    expect(none).toMatchObject({ executions: 0, failure_rate: null, duration_ms: { p50: null } });
  });
});

describe("load", () => {
  it("ratchet_benchmark_task: N unrecorded runs with p50/p95 and executions per second", async () => {
    await fx.task("adder", `(function(input) { return { sum: input.a + 1 }; })`);
    const result = await call("ratchet_benchmark_task", { task_id_or_path: "adder", input: { a: 1 }, runs: 8 });
    expect(result).toMatchObject({ task: "adder", runs: 8, completed: 8, failed: 0 });
    expect(result.duration_ms.p50).toBeGreaterThan(0);
    expect(result.duration_ms.p95).toBeGreaterThanOrEqual(result.duration_ms.p50);
    expect(result.executions_per_second).toBeGreaterThan(0);
    expect((await fx.workspace.listExecutions({ task: "adder" })).items).toEqual([]);
  });

  it("ratchet_fuzz_test_task: reports crashes and output failures, not declared errors, the same for the same seed", async () => {
    await fx.task(
      "shout",
      `(function(input) {
  if (input.count < 0) throw new DataError("count must not be negative");
  var text = input.name.toUpperCase();
  return { text: text, count: input.count > 1000 ? "many" : input.count };
})`,
      {
        input: { type: "object", required: ["count"], properties: { name: { type: "string" }, count: { type: "integer" } } },
        output: { type: "object", required: ["text", "count"], properties: { text: { type: "string" }, count: { type: "integer" } } },
      },
    );
    const first = await call("ratchet_fuzz_test_task", { task_id_or_path: "shout", count: 40, seed: 7 });
    expect(first.count).toBe(40);
    expect(first.outcomes.crashes).toBeGreaterThan(0);
    expect(first.crash_types.TypeError).toBe(first.outcomes.crashes);
    expect(first.findings.find((f: any) => f.kind === "crash")).toMatchObject({ error: { type: "TypeError", line: 3 } });
    expect(first.findings.find((f: any) => f.kind === "crash").input.name).toBeUndefined();
    expect(first.outcomes.output_schema_failures).toBeGreaterThan(0);
    expect(first.outcomes.input_rejected).toBeGreaterThan(0);
    const sum = Object.values(first.outcomes as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBe(40);
    expect(await call("ratchet_fuzz_test_task", { task_id_or_path: "shout", count: 40, seed: 7 })).toEqual(first);
    expect((await fx.workspace.listExecutions({ task: "shout" })).items).toEqual([]);
  });
});
