/**
 * The Worker's /mcp as agents meet it: the SDK's real Client over Streamable HTTP against the real
 * Worker in workerd (its fetch handler, bindings, token check), on deployed tasks in the local D1
 * and R2, with guest fetches to the 127.0.0.1 upstream.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/worker/app.ts";
import { BROKEN, callTool as call, GOOD, INPUT_SCHEMA, OUTPUT_SCHEMA, playDevelopmentLoop, toolText as text } from "../support/mcp-workflow.ts";
import { bundle, call as api, deploy, uniqueName } from "./support.ts";

const MCP = "http://ratchet.test/mcp";
const upstream = inject("upstreamUrl");

type Fetch = (request: Request) => Promise<Response>;
const worker: Fetch = (request) => SELF.fetch(request as never) as unknown as Promise<Response>;

/** A Client connected to /mcp (with these query options), its requests going to `fetch` (the Worker itself by default). */
async function connect(query = "", fetch: Fetch = worker, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "ratchet-worker-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${MCP}${query}`), { fetch: (url, init) => fetch(new Request(url, init)), requestInit: { headers } });
  await client.connect(transport);
  return client;
}

/** Calls a tool expecting an isError answer; its text. */
async function refused(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} should have refused: ${text(result)}`).toBe(true);
  return text(result);
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);

describe("/mcp on the Worker", () => {
  it("plays the guide's agent workflow on deployed tasks", async () => {
    const client = await connect();
    const task = uniqueName("greeter");
    const { created, run, broken } = await playDevelopmentLoop(client, task, upstream);
    expect(created.task).toMatchObject({ name: task, version: "1.0.0", location: "deployed" });
    // On the platform: the HTTP API serves the same task and the same record.
    expect((await api("GET", `/tasks/${task}/versions`)).body.versions.map((v: { version: string }) => v.version)).toContain("1.0.0");
    expect((await api("GET", `/executions/${run.execution_id}`)).body).toMatchObject({ task, trigger: "mcp", status: "completed" });
    // Saved without a version bump: deployed as 1.0.0's development version, not refused as a 409.
    expect(broken.task.version).toMatch(/^1\.0\.0\+dev\.[0-9a-f]{12}$/);

    const current = (await api("GET", `/tasks/${task}`)).body.current_version;
    expect(await call(client, "ratchet_deploy_task", { task_id_or_path: task })).toEqual({ name: task, version: current.version, hash: current.hash, status: "unchanged", target: "this platform" });
    expect((await api("POST", `/run/${task}`, { base: upstream, name: "eve" })).body).toEqual({ greeting: "hello eve", status: 200 });

    const scheduled = await call(client, "ratchet_schedule_task", { task_id: task, cron: "0 7 * * *", input: { base: upstream, name: "ada" } });
    expect(scheduled.schedule).toMatchObject({ task, cron: "0 7 * * *", timezone: "UTC" });
    expect(scheduled.next_runs).toHaveLength(3);
    const schedules = await call(client, "ratchet_list_schedules", { task_id: task });
    expect(schedules.schedules.map((schedule: { id: string }) => schedule.id)).toEqual([scheduled.schedule.id]);
    expect((await api("GET", `/schedules/${scheduled.schedule.id}`)).status).toBe(200);
    // The same checks as POST /schedules: an input the task's schema refuses.
    expect(await refused(client, "ratchet_schedule_task", { task_id: task, cron: "0 7 * * *", input: { base: upstream } })).toMatch(/does not match .*input\.schema\.json/);
    await call(client, "ratchet_unschedule_task", { schedule_id: scheduled.schedule.id });
    expect((await api("GET", `/schedules/${scheduled.schedule.id}`)).status).toBe(404);
    await client.close();
  });

  it("keeps every version as a backup: list, read an earlier one, restore (a rollback), export and import", async () => {
    const client = await connect();
    const task = uniqueName("versions");
    await deploy(task, bundle());
    await deploy(task, bundle({ version: "2.0.0", code: "(function(input) { return { sum: input.a * input.b }; })" }));

    const info = await call(client, "ratchet_get_task_info", { task_id_or_path: task });
    expect(info.backups.map((backup: { id: string }) => backup.id)).toEqual(["2.0.0", "1.0.0"]);
    const old = await call(client, "ratchet_read_task_file", { task_id: task, path: "main.js", version: "1.0.0" });
    expect(old.content).toContain("input.a + input.b");
    expect(await call(client, "ratchet_backup_task", { task_id: task })).toMatchObject({ id: "2.0.0", version: "2.0.0" });

    const restored = await call(client, "ratchet_restore_task_backup", { task_id: task, backup_id: "1.0.0" });
    expect(restored.task.version).toBe("1.0.0");
    expect((await api("POST", `/run/${task}`, { a: 2, b: 3 })).body).toEqual({ sum: 5 });
    expect(await refused(client, "ratchet_restore_task_backup", { task_id: task, backup_id: "9.9.9" })).toMatch(/no version 9\.9\.9/);

    const exported = await call(client, "ratchet_export_task", { task_id: task });
    const copy = uniqueName("copy");
    expect((await call(client, "ratchet_import_task", { name: copy, document: exported.document })).task).toMatchObject({ name: copy, version: "1.0.0", hash: exported.document.hash });
    expect((await api("POST", `/run/${copy}`, { a: 4, b: 5 })).body).toEqual({ sum: 9 });

    await call(client, "ratchet_delete_task", { task_id: copy });
    expect((await api("GET", `/tasks/${copy}`)).status).toBe(404);
    await client.close();
  });

  it("benchmarks a deployed task without recording its runs", async () => {
    const client = await connect();
    const task = uniqueName("bench");
    await deploy(task, bundle());
    const benchmark = await call(client, "ratchet_benchmark_task", { task_id_or_path: task, input: { a: 1, b: 2 }, runs: 5, warmup: 0 });
    expect(benchmark).toMatchObject({ task, runs: 5, completed: 5, failed: 0 });
    expect((await api("GET", `/executions?task=${task}`)).body.executions).toEqual([]);
    await client.close();
  });

  it("answers bad arguments with isError saying what to do, and stays up", async () => {
    const client = await connect();
    const task = uniqueName("bad-args");
    await deploy(task, bundle());
    expect(await refused(client, "ratchet_execute_task", { input: { a: 1, b: 2 } })).toMatch(/task_id_or_path/);
    expect(await refused(client, "ratchet_execute_task", { task_id_or_path: 42, input: {} })).toMatch(/task_id_or_path/);
    expect(await refused(client, "ratchet_get_task_info", { task_id_or_path: uniqueName("missing") })).toMatch(/not_found[\s\S]*\nhint: /);
    expect(await refused(client, "ratchet_get_task_info", { task_id_or_path: "../../etc" })).toMatch(/deployed name/);
    const unparsable = await refused(client, "ratchet_update_task_code", { task_id: task, code: "(function(input) { return {; })" });
    expect(unparsable).toMatch(/main\.js:1/);
    // Nothing was deployed: the version is the one before.
    expect((await api("GET", `/tasks/${task}`)).body.current_version.version).toBe("1.0.0");
    expect(await refused(client, "ratchet_get_execution_logs", { execution_id: "not-an-id" })).toMatch(/not_found|No execution/);
    expect(await refused(client, "ratchet_schedule_task", { task_id: task, cron: "every day" })).toMatch(/cron/);
    expect(await refused(client, "ratchet_list_executions", { cursor: "nope" })).toMatch(/cursor/);
    expect((await call(client, "ratchet_execute_task", { task_id_or_path: task, input: { a: 1, b: 2 } })).output).toEqual({ sum: 3 });
    await client.close();
  });

  it("filters tools by ?toolsets= and ?read_only=1, and refuses an unknown toolset", async () => {
    const readOnly = await connect("?read_only=1");
    const listed = (await readOnly.listTools()).tools;
    expect(listed.length).toBeGreaterThan(5);
    expect(listed.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
    expect(listed.map((tool) => tool.name)).not.toContain("ratchet_create_task");
    await readOnly.close();

    const ship = await connect("?toolsets=ship");
    expect((await toolNames(ship)).sort()).toEqual(["ratchet_deploy_task", "ratchet_list_schedules", "ratchet_schedule_task", "ratchet_unschedule_task"]);
    await ship.close();

    const bad = await SELF.fetch(`${MCP}?toolsets=tasks,nope`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('unknown toolset \\"nope\\"');
  });

  it("lists each enabled deployed task as task_<name> with the deployed toolset, and runs it through execute-and-record", async () => {
    const task = uniqueName("adder");
    const disabled = uniqueName("off");
    await deploy(task, bundle({ label: "Adder", code: "(function(input) { if (input.a < 0) throw new DataError('a must not be negative'); return { sum: input.a + input.b }; })" }));
    await deploy(disabled, bundle());
    expect((await api("PATCH", `/tasks/${disabled}`, { enabled: false })).status).toBe(200);
    // Two names that spell one tool name (`.` and `_` both become `_`), and one too long for a tool name.
    const twins = [`${task}.x`, `${task}_x`];
    const long = `${task}-${"l".repeat(40)}`;
    for (const name of [...twins, long]) await deploy(name, bundle());

    const client = await connect("?toolsets=runs,deployed");
    const tools = (await client.listTools()).tools;
    const toolName = `task_${task.replaceAll("-", "_")}`;
    const tool = tools.find((listed) => listed.name === toolName);
    expect(tool?.description).toContain("used by the Worker tests");
    expect(tool?.inputSchema).toMatchObject({ type: "object", required: ["a", "b"] });
    expect(tool?.outputSchema).toMatchObject({ type: "object", required: ["sum"] });
    expect(tools.map((listed) => listed.name)).not.toContain(`task_${disabled.replaceAll("-", "_")}`);
    expect(tools.every((listed) => /^[a-zA-Z0-9_-]{1,40}$/.test(listed.name))).toBe(true);
    const named = (name: string) => tools.filter((listed) => listed.description?.includes(`Runs the deployed task ${name} `)).map((listed) => listed.name);
    const twinTools = twins.flatMap(named);
    expect(twinTools).toHaveLength(2);
    expect(new Set(twinTools).size).toBe(2);
    expect(named(long)).toHaveLength(1);
    expect((await client.callTool({ name: named(long)[0]!, arguments: { a: 1, b: 1 } })).structuredContent).toEqual({ sum: 2 });

    const result = (await client.callTool({ name: toolName, arguments: { a: 2, b: 40 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ sum: 42 });
    const failed = (await client.callTool({ name: toolName, arguments: { a: -1, b: 1 } })) as CallToolResult;
    expect(failed.isError).toBe(true);
    expect(text(failed)).toMatch(new RegExp(`^task_failed: ${task}: DataError: a must not be negative`));
    const [, executionId] = /execution_id: (\S+)/.exec(text(failed)) ?? [];
    expect((await api("GET", `/executions/${executionId}`)).body).toMatchObject({ task, trigger: "mcp", status: "failed", error_type: "DataError" });
    await client.close();

    // Off by default, and never in read-only mode (running a task changes things).
    const plain = await connect();
    expect(await toolNames(plain)).not.toContain(toolName);
    await plain.close();
    const readOnly = await connect("?toolsets=runs,deployed&read_only=1");
    expect(await toolNames(readOnly)).not.toContain(toolName);
    await readOnly.close();
  });

  it("asks for the API's bearer token when one is set", async () => {
    const withToken = { ...env, RATCHET_API_TOKEN: "s3cret-token" };
    const app = createApp();
    const guarded: Fetch = async (request) => app.fetch(request, withToken as never, createExecutionContext() as never);
    const missing = await guarded(new Request(MCP, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    await expect(connect("", guarded, { Authorization: "Bearer wrong" })).rejects.toThrow();
    const client = await connect("", guarded, { Authorization: "Bearer s3cret-token" });
    expect(await toolNames(client)).toContain("ratchet_list_available_tasks");
    await client.close();
  });
});
