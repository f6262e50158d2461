import { WorkspaceError } from "../../workspace/workspace.ts";
import { ApiUnreachableError, describeApiError, type ApiClient } from "../../ops/api-client.ts";
import type { DeployedRun, DeployedTask, DeployedTasks } from "../deployed.ts";

/** Enough for any client's tool list; past it the agent uses ratchet_execute_task on the Worker. */
const MAX_TASKS = 200;

interface TaskDetail {
  name: string;
  enabled: boolean;
  current_version: { label?: string; description?: string };
  input_schema: unknown;
  output_schema: unknown;
}

function unreachable(error: ApiUnreachableError): WorkspaceError {
  return new WorkspaceError("unreachable", `Nothing answers at ${error.url}`, { hint: "Start one (ratchet serve, or npm start) or pass its address as --url." });
}

async function runOnApi(client: ApiClient, name: string, input: unknown): Promise<DeployedRun> {
  const reply = await client.request("POST", `/tasks/${encodeURIComponent(name)}/execute`, input).catch((error) => {
    throw error instanceof ApiUnreachableError ? unreachable(error) : error;
  });
  if (reply.status === 200) return { execution_id: reply.body.execution_id, status: "completed", output: reply.body.output };
  const details = reply.body?.error?.details ?? {};
  if (reply.status === 422 || reply.status === 400) {
    return { execution_id: details.execution_id ?? null, status: "failed", error: { type: details.type ?? (reply.status === 400 ? "InputSchemaError" : "Error"), message: details.message ?? reply.body.error.message } };
  }
  throw new WorkspaceError(reply.status === 404 ? "not_found" : "unreachable", `The Ratchet did not run ${name}: ${describeApiError(reply)}`);
}

/** The enabled tasks deployed on the Ratchet at the client's URL, read once, each run through its API. */
export async function deployedTasksFromApi(client: ApiClient): Promise<DeployedTasks> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const reply = await client.request("GET", `/tasks?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (reply.status !== 200) throw new Error(`listing the deployed tasks: ${describeApiError(reply)}`);
    for (const task of reply.body.tasks as { name: string; enabled: boolean }[]) if (task.enabled) names.push(task.name);
    cursor = reply.body.next_cursor;
  } while (cursor && names.length < MAX_TASKS);
  const tasks = await Promise.all(
    names.slice(0, MAX_TASKS).map(async (name): Promise<DeployedTask> => {
      const reply = await client.request("GET", `/tasks/${encodeURIComponent(name)}`);
      if (reply.status !== 200) throw new Error(`reading the deployed task ${name}: ${describeApiError(reply)}`);
      const detail = reply.body as TaskDetail;
      return { name, label: detail.current_version.label, description: detail.current_version.description, input_schema: detail.input_schema, output_schema: detail.output_schema };
    }),
  );
  return { tasks, run: (name, input) => runOnApi(client, name, input) };
}
