import type { ExecutionContext } from "@cloudflare/workers-types";
import type { DeployedRun, DeployedTask, DeployedTasks } from "../../mcp/deployed.ts";
import { listTasks, openDb } from "../../store/tasks.ts";
import type { Env } from "../env.ts";
import { invokeTask } from "../execute-and-record.ts";
import { mapped } from "./errors.ts";

/** Enough for any client's tool list; past it the agent uses ratchet_execute_task. */
const MAX_TASKS = 200;

/**
 * The enabled deployed tasks for the `deployed` toolset (read from D1 with their current
 * version's schemas, one query), each run through execute-and-record with trigger "mcp".
 */
export async function deployedTasksOnPlatform(env: Env, ctx: Pick<ExecutionContext, "waitUntil">): Promise<DeployedTasks> {
  const tasks: DeployedTask[] = [];
  let after: string | undefined;
  for (;;) {
    const rows = await listTasks(openDb(env.DB), { limit: MAX_TASKS, after });
    for (const { task, version } of rows) {
      if (!task.enabled || tasks.length === MAX_TASKS) continue;
      tasks.push({ name: task.name, label: version.label, ...(version.description ? { description: version.description } : {}), input_schema: version.inputSchema, output_schema: version.outputSchema });
    }
    if (rows.length < MAX_TASKS || tasks.length === MAX_TASKS) break;
    after = rows.at(-1)!.task.name;
  }
  return {
    tasks,
    async run(name, input): Promise<DeployedRun> {
      const { result, answerable } = await mapped(() => invokeTask(env, ctx, name, input, { trigger: "mcp" }));
      // The execution id handed out must be readable by the next call (Invocation.answerable).
      await mapped(() => answerable);
      return { execution_id: result.executionId, status: result.status, output: result.output, error: result.error ? { type: result.error.type, message: result.error.message } : null };
    },
  };
}
