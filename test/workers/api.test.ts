import { env, createExecutionContext, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { deployBundle, openDb } from "../../src/store/tasks.ts";
import { createApp } from "../../src/worker/app.ts";
import { registerBundledTasks } from "../../src/platform/bundled-tasks.ts";
import { engineFor } from "../../src/platform/sandbox.ts";
import { API, bundle, call, deploy, recordOf, uniqueName } from "./support.ts";

describe("health and metrics", () => {
  it("reports D1 and R2 as up", async () => {
    const reply = await call("GET", "/health");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "ok", checks: { d1: "ok", r2: "ok" } });
  });

  it("answers 503 naming what is down", async () => {
    const broken = { ...env, DB: { prepare: () => ({ first: () => Promise.reject(new Error("no database")) }) } };
    const response = await createApp().request(`${API}/health`, {}, broken as never);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "down", down: ["d1"], checks: { d1: "down: no database", r2: "ok" } });
  });

  it("exposes Prometheus metrics from the execution history and the sandbox pool", async () => {
    const name = uniqueName("metrics");
    await deploy(name);
    const ran = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 2 });
    await recordOf(ran.body.execution_id);
    const reply = await call("GET", "/metrics");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/plain");
    expect(reply.body).toContain(`ratchet_executions_total{task="${name}",status="completed"} 1`);
    expect(reply.body).toMatch(/ratchet_execution_duration_ms_bucket\{le="\+Inf"\} \d+/);
    expect(reply.body).toMatch(/ratchet_sandbox_instances\{build="sync",state="idle"\} \d+/);
    expect(reply.body).toMatch(/ratchet_sandbox_instances\{build="asyncify",state="idle"\} \d+/);
    expect(reply.body).toMatch(/ratchet_sandbox_runs_repeated_total \d+/);
    expect(reply.body).toMatch(/^ratchet_execution_records_lost_total \d+$/m);
  });

  it("serves /metrics at the root too (where the guide and Prometheus look), open when no token is set", async () => {
    const root = await SELF.fetch("http://ratchet.test/metrics");
    expect(root.status).toBe(200);
    expect(await root.text()).toMatch(/^ratchet_execution_records_lost_total \d+$/m);
  });
});

describe("deploying", () => {
  it("creates a version, treats the same bundle as a no-op, and refuses changed content under the same version", async () => {
    const name = uniqueName("deploy");
    const first = await call("PUT", `/tasks/${name}`, bundle());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ outcome: "created", task: { name, enabled: true, current_version: { version: "1.0.0", tags: ["test"] } } });
    expect(first.body.task.current_version.hash).toMatch(/^sha256:/);

    const again = await call("PUT", `/tasks/${name}`, bundle());
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe("unchanged");

    const conflict = await call("PUT", `/tasks/${name}`, bundle({ code: "(function(input) { return { sum: 0 }; })" }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("version_conflict");
    expect(conflict.body.error.message).toMatch(/bump/);

    const second = await call("PUT", `/tasks/${name}`, bundle({ version: "1.1.0", code: "(function(input) { return { sum: input.a * input.b }; })" }));
    expect(second.status).toBe(201);
    const versions = await call("GET", `/tasks/${name}/versions`);
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(versions.body.current_version_id).toBe(second.body.task.current_version.id);
  });

  it("settles concurrent deploys of one new bundle: one creates, the others find it unchanged", async () => {
    const name = uniqueName("race");
    const checked = await engineFor(env).loadDocument(bundle());
    if (!checked.ok) throw new Error("invalid test bundle");
    const db = openDb(env.DB);
    // Straight at the store, so all three decide before any of them writes.
    const outcomes = await Promise.all([1, 2, 3].map(() => deployBundle(db, env.BUNDLES, name, checked.bundle)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["created", "unchanged", "unchanged"]);
    expect((await call("GET", `/tasks/${name}/versions`)).body.versions).toHaveLength(1);
  });

  it("refuses an invalid bundle with 400 and every problem, and keeps nothing", async () => {
    const name = uniqueName("invalid");
    const reply = await call("PUT", `/tasks/${name}`, { ...bundle({ code: "(function(input) { return 1 +; })" }), input_schema: { type: "strin" } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("invalid_bundle");
    const files = reply.body.error.details.problems.map((p: { file: string }) => p.file).sort();
    expect(files).toEqual(["input.schema.json", "main.js"]);
    expect((await call("GET", `/tasks/${name}`)).status).toBe(404);
  });

  it("keeps the previous version serving when the deploy fails half-way", async () => {
    const name = uniqueName("atomic");
    await deploy(name);
    // D1 refuses the batch that would add the version and repoint the task.
    const failingDb = new Proxy(env.DB, {
      get: (target, key) => (key === "batch" ? () => Promise.reject(new Error("D1 is unavailable")) : Reflect.get(target, key).bind?.(target) ?? Reflect.get(target, key)),
    });
    const ctx = createExecutionContext();
    const response = await createApp().request(
      `${API}/tasks/${name}`,
      { method: "PUT", body: JSON.stringify(bundle({ version: "2.0.0", code: "(function(input) { return { sum: -1 }; })" })) },
      { ...env, DB: failingDb } as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).not.toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
    const task = await call("GET", `/tasks/${name}`);
    expect(task.body.current_version.version).toBe("1.0.0");
    expect((await call("GET", `/tasks/${name}/versions`)).body.versions).toHaveLength(1);
    expect((await call("POST", `/run/${name}`, { a: 2, b: 3 })).body).toEqual({ sum: 5 });
  });

  it("rolls back to an earlier version and runs older versions on request", async () => {
    const name = uniqueName("rollback");
    await deploy(name);
    await deploy(name, bundle({ version: "2.0.0", code: "(function(input) { return { sum: 100 }; })" }));
    expect((await call("POST", `/run/${name}`, { a: 1, b: 1 })).body).toEqual({ sum: 100 });
    expect((await call("POST", `/run/${name}?version=1.0.0`, { a: 1, b: 1 })).body).toEqual({ sum: 2 });

    const rolled = await call("POST", `/tasks/${name}/rollback`, { version: "1.0.0" });
    expect(rolled.status).toBe(200);
    expect(rolled.body.task.current_version.version).toBe("1.0.0");
    expect((await call("POST", `/run/${name}`, { a: 1, b: 1 })).body).toEqual({ sum: 2 });

    expect((await call("POST", `/tasks/${name}/rollback`, { version: "9.9.9" })).status).toBe(404);
    const bad = await call("POST", `/tasks/${name}/rollback`, { version: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].pointer).toBe("/version");
  });

  it("disables a task (invocations refused with 409) and enables it again", async () => {
    const name = uniqueName("toggle");
    await deploy(name);
    const off = await call("PATCH", `/tasks/${name}`, { enabled: false });
    expect(off).toMatchObject({ status: 200, body: { name, enabled: false } });
    const refused = await call("POST", `/run/${name}`, { a: 1, b: 2 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("task_disabled");
    expect((await call("PATCH", `/tasks/${name}`, { enabled: "no" })).body.error.details.issues[0].pointer).toBe("/enabled");
    expect((await call("PATCH", `/tasks/${name}`, { enabled: true })).body.enabled).toBe(true);
    expect((await call("POST", `/run/${name}`, { a: 1, b: 2 })).body).toEqual({ sum: 3 });
  });

  it("deletes a task and its versions but keeps its execution history", async () => {
    const name = uniqueName("delete");
    await deploy(name);
    const ran = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 2 });
    await recordOf(ran.body.execution_id);
    const deleted = await call("DELETE", `/tasks/${name}`);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: name, versions: 1 } });
    expect((await call("GET", `/tasks/${name}`)).status).toBe(404);
    expect((await call("POST", `/run/${name}`, { a: 1, b: 2 })).status).toBe(404);
    expect((await call("DELETE", `/tasks/${name}`)).status).toBe(404);
    expect((await call("GET", `/executions/${ran.body.execution_id}`)).status).toBe(200);
  });
});

describe("listing and reading tasks", () => {
  it("filters by tag and text and pages with a cursor", async () => {
    const tag = uniqueName("tag");
    const names = [uniqueName("list-a"), uniqueName("list-b"), uniqueName("list-c")];
    for (const [i, name] of names.entries()) await deploy(name, bundle({ tags: [tag], label: i === 1 ? "The special one" : "Ordinary" }));
    const tagged = await call("GET", `/tasks?tag=${tag}`);
    expect(tagged.body.tasks.map((t: { name: string }) => t.name)).toEqual(names);
    const text = await call("GET", `/tasks?tag=${tag}&q=special`);
    expect(text.body.tasks.map((t: { name: string }) => t.name)).toEqual([names[1]]);
    const page1 = await call("GET", `/tasks?tag=${tag}&limit=2`);
    expect(page1.body.tasks).toHaveLength(2);
    const page2 = await call("GET", `/tasks?tag=${tag}&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.tasks.map((t: { name: string }) => t.name)).toEqual([names[2]]);
    expect(page2.body.next_cursor).toBeNull();
    expect((await call("GET", "/tasks?limit=0")).status).toBe(400);
  });

  it("shows one task with its schemas, and 404 for an unknown one", async () => {
    const name = uniqueName("detail");
    await deploy(name);
    const reply = await call("GET", `/tasks/${name}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name, metadata: { version: "1.0.0" }, input_schema: { required: ["a", "b"] } });
    const missing = await call("GET", "/tasks/no-such-task");
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("registers the bundled sample tasks at start", async () => {
    const reply = await call("GET", "/tasks?q=addition");
    expect(reply.body.tasks.map((t: { name: string }) => t.name)).toContain("addition");
    expect((await call("POST", "/run/addition", { num1: 2, num2: 40 })).body).toEqual({ sum: 42 });
  });

  it("registers a bundled task once: one deleted through the API stays deleted when the next isolate starts", async () => {
    // data-filter is a bundled sample no other test uses.
    expect((await call("GET", "/tasks/data-filter")).status).toBe(200);
    expect((await call("DELETE", "/tasks/data-filter")).status).toBe(200);
    await registerBundledTasks(env);
    expect((await call("GET", "/tasks/data-filter")).status).toBe(404);
  });
});

describe("executing", () => {
  it("answers 200 with the output, duration and logs, and records the execution", async () => {
    const name = uniqueName("exec");
    await deploy(name);
    const reply = await call("POST", `/tasks/${name}/execute`, { a: 2, b: 3 });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "completed", output: { sum: 5 }, logs: [{ level: "log", message: "adding" }] });
    expect(reply.headers.get("x-ratchet-execution-id")).toBe(reply.body.execution_id);
    const record = await recordOf(reply.body.execution_id);
    expect(record.body).toMatchObject({ task: name, version: "1.0.0", trigger: "http", status: "completed", attempt: 1, input: { a: 2, b: 3 }, output: { sum: 5 } });
    expect(record.body.timings.limits.wallMs).toBeGreaterThan(0);
  });

  it("answers 400 listing every input issue, and records the refused execution", async () => {
    const name = uniqueName("badinput");
    await deploy(name);
    const reply = await call("POST", `/tasks/${name}/execute`, { a: "two" });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("invalid_input");
    expect(reply.body.error.details.issues.map((i: { pointer: string }) => i.pointer).sort()).toEqual(["", "/a"]);
    const record = await recordOf(reply.body.error.details.execution_id);
    expect(record.body).toMatchObject({ status: "failed", error_type: "InputSchemaError" });
  });

  it("answers 422 with the typed error when the task throws or hits a limit", async () => {
    const name = uniqueName("fails");
    await deploy(name, bundle({ code: "(function(input) {\n  if (input.a < 0) throw new DataError('negative');\n  for (;;) {}\n})", timeout: 400 }));
    const thrown = await call("POST", `/tasks/${name}/execute`, { a: -1, b: 0 });
    expect(thrown.status).toBe(422);
    expect(thrown.body.error).toMatchObject({ code: "task_failed", details: { type: "DataError", message: "negative" } });
    expect(thrown.body.error.details.stack).toMatch(/main\.js:2/);
    const limited = await call("POST", `/run/${name}`, { a: 1, b: 0 });
    expect(limited.status).toBe(422);
    expect(limited.body.error.details.type).toMatch(/^(CpuLimitError|TimeLimitError)$/);
    const record = await recordOf(limited.headers.get("x-ratchet-execution-id")!);
    expect(record.body.status).toBe("failed");
  });

  it("answers 422 when the output fails the output schema", async () => {
    const name = uniqueName("badoutput");
    await deploy(name, bundle({ code: "(function() { return { sum: 'many' }; })" }));
    const reply = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 2 });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details.type).toBe("OutputSchemaError");
  });

  it("bridges guest fetch to the platform's fetch, traced in the record", async () => {
    const name = uniqueName("fetching");
    await deploy(name, bundle({ code: `(function(input) { var r = fetch(input.url + "/json?api_key=secret"); return { sum: r.status }; })`, input: { type: "object" } }));
    const reply = await call("POST", `/run/${name}`, { url: inject("upstreamUrl") });
    expect(reply.body).toEqual({ sum: 200 });
    const record = await recordOf(reply.headers.get("x-ratchet-execution-id")!);
    expect(record.body.http).toHaveLength(1);
    expect(record.body.http[0]).toMatchObject({ method: "GET", status: 200 });
    expect(record.body.http[0].url).toContain("api_key=redacted");
  });

  it("records the input without its secrets, while the task gets them whole", async () => {
    const name = uniqueName("secrets");
    const input = { type: "object", properties: { pin: { type: "string", writeOnly: true } } };
    await deploy(name, bundle({ code: "(function(input) { return { sum: input.apiKey.length + input.pin.length }; })", input }));
    const reply = await call("POST", `/run/${name}`, { location: "London", apiKey: "k-12345", pin: "0000" });
    expect(reply.body).toEqual({ sum: 11 });
    const record = await recordOf(reply.headers.get("x-ratchet-execution-id")!);
    expect(record.body.input).toEqual({ location: "London", apiKey: "redacted", pin: "redacted" });
  });

  it("runs concurrent invocations waiting in fetch side by side", async () => {
    const name = uniqueName("concurrent");
    await deploy(name, bundle({ code: `(function(input) { return { sum: fetch(input.url + "/slow?ms=200").body.overlap }; })`, input: { type: "object" } }));
    const replies = await Promise.all(Array.from({ length: 5 }, () => call("POST", `/run/${name}`, { url: inject("upstreamUrl") })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...replies.map((r) => r.body.sum))).toBeGreaterThan(1);
  });

  it("serves more concurrent fetching invocations than the pool has sandboxes, none cancelled as hung", async () => {
    const name = uniqueName("overflow");
    await deploy(name, bundle({ code: `(function(input) { return { sum: fetch(input.url + "/slow?ms=100").status }; })`, input: { type: "object" } }));
    const replies = await Promise.all(Array.from({ length: 14 }, () => call("POST", `/run/${name}`, { url: inject("upstreamUrl") })));
    expect(replies.map((r) => r.status)).toEqual(Array(14).fill(200));
    expect((await call("POST", `/run/${name}`, { url: inject("upstreamUrl") })).body).toEqual({ sum: 200 });
  });

  it("keeps large records whole in R2 with a pointer", async () => {
    const name = uniqueName("large");
    await deploy(name, bundle({ code: "(function() { for (var i = 0; i < 200; i++) console.log('x'.repeat(500) + i); return { sum: 1 }; })" }));
    const reply = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 1 });
    const record = await recordOf(reply.body.execution_id);
    expect(record.body.stored_in).toBe(`executions/${reply.body.execution_id}.json`);
    expect(record.body.logs).toHaveLength(200);
    expect(record.body.logs[199].message.endsWith("199")).toBe(true);
  });

  it("answers 404 for an unknown task or version", async () => {
    expect((await call("POST", "/tasks/nothing-here/execute", {})).status).toBe(404);
    expect((await call("POST", "/run/nothing-here", {})).body.error.code).toBe("not_found");
    expect((await call("POST", "/run/addition?version=0.0.9", {})).status).toBe(404);
  });

  it("runs a task's own tests on the server", async () => {
    const name = uniqueName("tested");
    await deploy(name, bundle({ tests: [{ name: "adds", input: { a: 1, b: 2 }, expected_output: { sum: 3 } }, { name: "wrong", input: { a: 1, b: 2 }, expected_output: { sum: 4 } }] }));
    const reply = await call("POST", `/tasks/${name}/test`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ passed: 1, failed: 1 });
    expect(reply.body.tests[1].diff).toContain('+  "sum": 3');
  });
});

describe("execution history", () => {
  it("lists newest first, filters, and pages with a cursor", async () => {
    const name = uniqueName("history");
    await deploy(name);
    const ids: string[] = [];
    for (const input of [{ a: 1, b: 1 }, { a: "x" }, { a: 2, b: 2 }]) {
      const reply = await call("POST", `/tasks/${name}/execute`, input);
      ids.push(reply.body.execution_id ?? reply.body.error.details.execution_id);
      await recordOf(ids.at(-1)!);
    }
    const all = await call("GET", `/executions?task=${name}`);
    expect(all.body.executions.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    const failed = await call("GET", `/executions?task=${name}&status=failed&trigger=http`);
    expect(failed.body.executions.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    const page1 = await call("GET", `/executions?task=${name}&limit=2`);
    const page2 = await call("GET", `/executions?task=${name}&limit=2&cursor=${page1.body.next_cursor}`);
    expect([...page1.body.executions, ...page2.body.executions].map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect((await call("GET", `/executions?task=${name}&since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z`)).body.executions).toEqual([]);
  });

  it("refuses bad filters with 400 and says which", async () => {
    expect((await call("GET", "/executions?status=exploded")).body.error.message).toMatch(/status must be one of/);
    expect((await call("GET", "/executions?trigger=carrier-pigeon")).status).toBe(400);
    expect((await call("GET", "/executions?since=yesterday")).body.error.message).toMatch(/since must be an ISO-8601 time/);
    expect((await call("GET", "/executions?cursor=garbage")).body.error.code).toBe("invalid_query");
    expect((await call("GET", "/executions/no-such-id")).status).toBe(404);
  });
});

describe("bad requests", () => {
  it("answers malformed JSON with 400, an empty body too", async () => {
    const name = uniqueName("json");
    await deploy(name);
    for (const [method, path] of [
      ["PUT", `/tasks/${name}`],
      ["POST", `/tasks/${name}/execute`],
      ["POST", `/run/${name}`],
      ["POST", `/tasks/${name}/rollback`],
      ["POST", "/validate"],
    ] as const) {
      const reply = await call(method, path, "{not json");
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(reply.body.error.code).toBe("invalid_json");
    }
    expect((await call("POST", `/run/${name}`, "")).body.error.message).toMatch(/empty/);
  });

  it("answers an oversized body with 413: inputs over 1 MiB, bundles over 10 MiB", async () => {
    const huge = JSON.stringify({ a: "x".repeat(2 * 1024 * 1024) });
    const reply = await call("POST", "/run/addition", huge);
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 1024 * 1024 } });
    const hugeBundle = JSON.stringify({ ...bundle(), code: `(function() { return 1; }) // ${"x".repeat(11 * 1024 * 1024)}` });
    const deployed = await call("PUT", `/tasks/${uniqueName("huge")}`, hugeBundle);
    expect(deployed.status).toBe(413);
    expect(deployed.body.error.details.max_bytes).toBe(10 * 1024 * 1024);
  });

  it("answers 404 for an unknown task on every task route", async () => {
    for (const [method, path, body] of [
      ["GET", "/tasks/ghost", undefined],
      ["GET", "/tasks/ghost/versions", undefined],
      ["POST", "/tasks/ghost/rollback", { version: "1.0.0" }],
      ["POST", "/tasks/ghost/test", undefined],
      ["POST", "/tasks/ghost/execute", {}],
      ["DELETE", "/tasks/ghost", undefined],
      ["GET", "/schedules/ghost", undefined],
      ["PATCH", "/schedules/ghost", { enabled: false }],
      ["POST", "/schedules/ghost/trigger", undefined],
    ] as const) {
      const reply = await call(method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.body.error.code).toBe("not_found");
    }
  });

  it("answers a wrong method with 405 and Allow, an unknown route with 404, a bad name with 400", async () => {
    const reply = await call("POST", "/tasks/addition");
    expect(reply.status).toBe(405);
    expect(reply.headers.get("allow")).toBe("GET, PUT, PATCH, DELETE");
    expect(reply.body.error.code).toBe("method_not_allowed");
    expect((await call("GET", "/run/addition")).status).toBe(405);
    expect((await call("GET", "/nowhere")).body.error.code).toBe("not_found");
    expect((await call("PUT", "/tasks/bad%20name!", bundle())).body.error.code).toBe("invalid_name");
  });

  it("validates a bundle without deploying it", async () => {
    const ok = await call("POST", "/validate", bundle());
    expect(ok.body).toMatchObject({ valid: true, hash: expect.stringMatching(/^sha256:/) });
    const bad = await call("POST", "/validate", { format: "nope" });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.problems.length).toBeGreaterThan(0);
  });
});

describe("authentication", () => {
  const withToken = { ...env, RATCHET_API_TOKEN: "s3cret-token" };
  const request = (path: string, headers: Record<string, string> = {}) => createApp().request(`${API}${path}`, { headers }, withToken as never, createExecutionContext());

  it("asks every route but /health for the bearer token when one is set", async () => {
    const missing = await request("/tasks");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect(await missing.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringMatching(/^This API needs Authorization: Bearer <token>; .*ratchet token create/) } });
    expect((await request("/tasks", { Authorization: "Bearer wrong" })).status).toBe(401);
    expect((await request("/metrics")).status).toBe(401);
    expect((await createApp().request("http://ratchet.test/metrics", {}, withToken as never, createExecutionContext())).status).toBe(401);
    const rootMetrics = await createApp().request("http://ratchet.test/metrics", { headers: { Authorization: "Bearer s3cret-token" } }, withToken as never, createExecutionContext());
    expect(rootMetrics.status).toBe(200);
    expect(await rootMetrics.text()).toContain("ratchet_execution_records_lost_total");
    expect((await request("/tasks", { Authorization: "Bearer s3cret-token" })).status).toBe(200);
    expect((await request("/health")).status).toBe(200);
  });
});
