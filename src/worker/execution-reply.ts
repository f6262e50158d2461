import type { Context, Handler } from "hono";
import type { ExecutionResult } from "../engine/index.ts";
import type { AppEnv } from "../http/app-env.ts";
import { registeredOnDemand } from "../platform/bundled-tasks.ts";
import { ApiError, errorEnvelope } from "./errors.ts";
import { invokeTask } from "../platform/execute-and-record.ts";
import type { RouteDoc } from "./openapi/operation.ts";
import { readJson, taskName } from "../http/request.ts";

/**
 * The HTTP answer for an execution. "envelope" (POST /tasks/{name}/execute) wraps the output
 * with the execution's facts; "bare" (POST /run/{name}) answers with the output itself.
 * Both: 400 when the input failed the schema, 422 when the task failed, 503 when every sandbox
 * stayed busy; the id is in a header.
 */
const ID_HEADER = "X-Ratchet-Execution-Id";

export function executionReply(c: Context, result: ExecutionResult, style: "envelope" | "bare"): Response {
  if (result.status === "completed") {
    const body = style === "bare" ? result.output : { execution_id: result.executionId, status: result.status, output: result.output, duration_ms: result.durationMs, logs: result.logs };
    // The hot path: one Response made from plain headers, not a Headers object filled call by call.
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json", [ID_HEADER]: result.executionId } });
  }
  c.header(ID_HEADER, result.executionId);
  const error = result.error!;
  if (error.type === "SandboxBusyError") {
    c.header("Retry-After", "1");
    return c.json(errorEnvelope("busy", error.message, { execution_id: result.executionId }), 503);
  }
  if (error.type === "InputSchemaError") {
    return c.json(errorEnvelope("invalid_input", error.message, { execution_id: result.executionId, ...(error.details as object) }), 400);
  }
  return c.json(
    errorEnvelope("task_failed", `${error.type}: ${error.message}`, {
      execution_id: result.executionId,
      type: error.type,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      ...(error.details ? { details: error.details } : {}),
      logs: result.logs,
    }),
    422,
  );
}

/** POST /tasks/{name}/execute and POST /run/{name}: the body is the input; `?version=` runs an older version. */
export function executeHandler(style: "envelope" | "bare"): Handler<AppEnv> {
  return async (c) => {
    const name = taskName(c);
    const input = await readJson(c);
    const options = { trigger: "http" as const, version: c.req.query("version") };
    const { result, answerable } = await invokeTask(c.env, c.executionCtx, name, input, options).catch(async (error) => {
      if (error instanceof ApiError && error.code === "not_found" && (await registeredOnDemand(c.env, name))) return invokeTask(c.env, c.executionCtx, name, input, options);
      throw error;
    });
    // The id handed out must be readable by the next request (see Invocation.answerable).
    await answerable;
    return executionReply(c, result, style);
  };
}

/** The OpenAPI description of both execution routes: the body is the input, the answers are executionReply's. */
export function executionDoc(style: "envelope" | "bare"): RouteDoc {
  return {
    tag: "executions",
    summary: style === "envelope" ? "Run a task" : "Run a task, answering with its output alone",
    description:
      style === "envelope"
        ? "The body is the task's input; the answer wraps the output with the execution's id, duration and logs."
        : "Function-URL style: the body is the task's input and the answer is its output itself; the execution id is in the X-Ratchet-Execution-Id header.",
    query: { version: { description: "A version to run instead of the current one, e.g. 1.0.0" } },
    body: { description: "The task's input, checked against its input schema", schema: {} },
    responses: {
      200: style === "envelope" ? { description: "The task completed", schema: "ExecutionEnvelope" } : { description: "The task completed: its output", schema: {} },
      400: { description: "invalid_input: the input does not match the task's input schema (details list the issues)" },
      404: { description: "not_found: no task by that name, or no such version of it" },
      409: { description: "task_disabled: the task is disabled" },
      422: { description: "task_failed: the task threw or returned output its schema refuses (details: type, message, stack, logs)" },
      503: { description: "busy: every sandbox stayed busy; or storage_unavailable / not_recorded: D1 or R2 failed. Retry-After says when to try again" },
    },
  };
}
