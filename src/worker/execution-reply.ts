import type { Context, Handler } from "hono";
import type { ExecutionResult } from "../engine/index.ts";
import type { AppEnv } from "./app-env.ts";
import { registeredOnDemand } from "./bundled-tasks.ts";
import { ApiError, errorEnvelope } from "./errors.ts";
import { invokeTask } from "../platform/execute-and-record.ts";
import { readJson, taskName } from "./request.ts";

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
    const { result, recorded } = await invokeTask(c.env, c.executionCtx, name, input, options).catch(async (error) => {
      if (error instanceof ApiError && error.code === "not_found" && (await registeredOnDemand(c.env, name))) return invokeTask(c.env, c.executionCtx, name, input, options);
      throw error;
    });
    // The id handed out must be readable by the next request: answer once the record is in D1.
    await recorded;
    return executionReply(c, result, style);
  };
}
