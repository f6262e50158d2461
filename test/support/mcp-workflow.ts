/**
 * The development half of the guide's agent workflow, played through any MCP client: every front
 * door (stdio, local Streamable HTTP, the Worker's /mcp) must pass it. Each host's test adds what
 * differs there (deploy and schedule semantics, the HTTP API's view).
 */
import type { Client } from "@modelcontextprotocol/client";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { expect } from "vitest";

export const toolText = (result: CallToolResult) => result.content.map((block) => (block.type === "text" ? block.text : `[${block.type}]`)).join("\n");

/** Calls a tool: its structured result, or throws with the isError text. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} answered an error: ${toolText(result)}`);
  return result.structuredContent;
}

export const GOOD = `(function(input) {
  const response = fetch(input.base + "/json?name=" + encodeURIComponent(input.name));
  if (!response.ok) throw new NetworkError("upstream answered " + response.status);
  console.log("fetched", response.status);
  return { greeting: "hello " + response.body.query.name, status: response.status };
})
`;
// Line 4 reads a property of something the upstream does not send.
export const BROKEN = `(function(input) {
  const response = fetch(input.base + "/json?name=" + encodeURIComponent(input.name));
  console.log("fetched", response.status);
  const who = response.body.person.name;
  return { greeting: "hello " + who, status: response.status };
})
`;
export const INPUT_SCHEMA = { type: "object", required: ["base", "name"], properties: { base: { type: "string" }, name: { type: "string", minLength: 1 } } };
export const OUTPUT_SCHEMA = { type: "object", required: ["greeting"], properties: { greeting: { type: "string" }, status: { type: "number" } } };

/**
 * List tools, create a task, validate input, run it with a guest fetch to `upstream`, read status,
 * logs and trace at once, break it, analyse the error (it names the line), replay with a changed
 * input, fix it, add a test case, run the tests, lint. Answers what the host's test checks further.
 */
export async function playDevelopmentLoop(client: Client, task: string, upstream: string): Promise<{ created: any; run: any; broken: any }> {
  const call = (name: string, args: Record<string, unknown>) => callTool(client, name, args);
  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  expect(tools).toEqual(expect.arrayContaining(["ratchet_create_task", "ratchet_execute_task", "ratchet_analyze_execution_error", "ratchet_deploy_task", "ratchet_schedule_task"]));

  const created = await call("ratchet_create_task", { name: task, description: "Greets a name through the upstream", code: GOOD, input_schema: INPUT_SCHEMA, output_schema: OUTPUT_SCHEMA });

  const invalid = await call("ratchet_validate_task_input", { task_id_or_path: task, input: { base: upstream, name: "" } });
  expect(invalid.valid).toBe(false);
  expect(invalid.issues.map((issue: { pointer: string }) => issue.pointer)).toEqual(["/name"]);
  expect((await call("ratchet_validate_task_input", { task_id_or_path: task, input: { base: upstream, name: "ada" } })).valid).toBe(true);

  const run = await call("ratchet_execute_task", { task_id_or_path: task, input: { base: upstream, name: "ada" }, trace: true });
  expect(run).toMatchObject({ status: "completed", output: { greeting: "hello ada", status: 200 } });
  const [status, logs, trace] = await Promise.all([
    call("ratchet_get_execution_status", { execution_id: run.execution_id }),
    call("ratchet_get_execution_logs", { execution_id: run.execution_id }),
    call("ratchet_get_execution_trace", { execution_id: run.execution_id }),
  ]);
  expect(status).toMatchObject({ execution_id: run.execution_id, task, status: "completed", trigger: "mcp" });
  expect(logs.logs.map((line: { message: string }) => line.message)).toContain("fetched 200");
  expect(trace.requests).toHaveLength(1);
  expect(trace.requests[0]).toMatchObject({ method: "GET", url: `${upstream}/json?name=ada`, status: 200 });

  const broken = await call("ratchet_update_task_code", { task_id: task, code: BROKEN });
  const failed = await call("ratchet_execute_task", { task_id_or_path: task, input: { base: upstream, name: "ada" } });
  expect(failed.status).toBe("failed");
  const analysis = await call("ratchet_analyze_execution_error", { execution_id: failed.execution_id, include_suggestions: true });
  expect(analysis.location).toMatchObject({ file: "main.js", line: 4 });
  expect(analysis.location.context.find((line: { failing: boolean }) => line.failing).text).toContain("response.body.person.name");
  expect(analysis.fixes.length).toBeGreaterThan(0);

  const replay = await call("ratchet_replay_execution", { execution_id: failed.execution_id, input: { base: upstream, name: "bob" } });
  expect(replay).toMatchObject({ replay_of: failed.execution_id, input_changed: true, status: "failed" });

  await call("ratchet_update_task_code", { task_id: task, code: GOOD });
  const fixed = await call("ratchet_replay_execution", { execution_id: failed.execution_id });
  expect(fixed).toMatchObject({ status: "completed", output: { greeting: "hello ada" } });

  await call("ratchet_create_test_case", { task_id: task, test_case: { name: "ada", input: { base: upstream, name: "ada" }, expected_output: { greeting: "hello ada", status: 200 } } });
  expect(await call("ratchet_test_task", { task_id: task })).toMatchObject({ passed: 1, failed: 0, total: 1 });
  expect((await call("ratchet_lint_task_code", { task_id: task })).errors).toBe(0);
  return { created, run, broken };
}
