import { GraphQLError } from "graphql";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { executionView } from "../../platform/views.ts";
import { need, touch, type GraphQLContext } from "../context.ts";
import { loadExecution } from "./executions.ts";
import { checkedName } from "./tasks.ts";

interface ExecuteArgs {
  name: string;
  input: unknown;
  version?: string | null;
}

/**
 * executeTask: the one execution path REST's POST /tasks/{name}/execute takes, answered when
 * the id it gives is readable at once (Invocation.answerable). Refusals before the task ran keep
 * their REST codes (invalid_input, busy); a task that ran and failed is an answer with its error.
 */
export const executeResolvers = {
  Mutation: {
    executeTask: async (_: unknown, { name, input, version }: ExecuteArgs, ctx: GraphQLContext) => {
      need(ctx, "execute", "Running a task");
      touch(ctx, checkedName(name));
      const { result, answerable } = await invokeTask(ctx.env, ctx.executionCtx, name, input, { trigger: "http", version: version ?? undefined });
      await answerable;
      const error = result.error;
      if (error?.type === "SandboxBusyError") {
        throw new GraphQLError(`${error.message}; try again in a second`, { extensions: { code: "busy", details: { execution_id: result.executionId } } });
      }
      if (error?.type === "InputSchemaError") {
        throw new GraphQLError(error.message, { extensions: { code: "invalid_input", details: { execution_id: result.executionId, ...(error.details as object) } } });
      }
      return {
        execution_id: result.executionId,
        status: result.status,
        output: result.output ?? null,
        error: error ?? null,
        logs: result.logs,
        duration_ms: result.durationMs,
      };
    },
  },
  ExecutionResult: {
    execution: async (parent: { execution_id: string }, _: unknown, ctx: GraphQLContext) => {
      const row = await loadExecution(ctx, parent.execution_id);
      return row ? executionView(row) : null;
    },
  },
};
