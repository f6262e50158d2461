import { canTouchTask } from "../../platform/access/principal.ts";
import { executionView } from "../../platform/views.ts";
import { getExecution, listExecutions, type ExecutionQuery, type ExecutionRow } from "../../store/executions.ts";
import { getSchedule } from "../../store/schedules.ts";
import { openDb } from "../../store/tasks.ts";
import { need, read, type GraphQLContext } from "../context.ts";
import { connection, decodeCursor, isoTime, pageSize } from "../pagination.ts";
import { scheduleNode } from "./schedules.ts";

export type ExecutionNode = ReturnType<typeof executionView>;

export interface ExecutionFilters {
  first?: number | null;
  after?: string | null;
  task?: string | null;
  status?: string | null;
  trigger?: string | null;
  since?: string | null;
  until?: string | null;
}

/** One execution with everything (its R2 payload merged back in), once per request. */
export function loadExecution(ctx: GraphQLContext, id: string): Promise<ExecutionRow | undefined> {
  return read(ctx, `execution:${id}`, () => getExecution(openDb(ctx.env.DB), ctx.env.BUNDLES, id));
}

/**
 * Executions newest first, as GET /executions lists them: a token limited to some tasks sees only
 * those tasks' (another task's, asked for by name, is an empty list, as over REST).
 */
function visibleExecutions(ctx: GraphQLContext, query: ExecutionQuery): Promise<ExecutionRow[]> {
  const visible = { ...query, tasks: ctx.principal.tasks };
  return read(ctx, `executions:${JSON.stringify(visible)}`, () => listExecutions(openDb(ctx.env.DB), visible));
}

export async function executionConnection(ctx: GraphQLContext, args: ExecutionFilters) {
  need(ctx, "read", "Reading executions");
  const size = pageSize(args.first, 50);
  const rows = await visibleExecutions(ctx, {
    task: args.task ?? undefined,
    status: args.status ?? undefined,
    trigger: args.trigger ?? undefined,
    since: isoTime("since", args.since),
    until: isoTime("until", args.until),
    before: decodeCursor("executions", args.after),
    limit: size + 1,
  });
  return connection(rows, size, "executions", (row) => row.id, executionView);
}

/** A field the row may have left in R2 (a large record): read from the whole execution then. */
const detail =
  (field: "input" | "output" | "error" | "logs" | "http") =>
  async (parent: ExecutionNode, _: unknown, ctx: GraphQLContext): Promise<unknown> => {
    if (!parent.stored_in) return parent[field];
    return (await loadExecution(ctx, parent.id))?.[field] ?? null;
  };

export const executionResolvers = {
  Query: {
    executions: (_: unknown, args: ExecutionFilters, ctx: GraphQLContext) => executionConnection(ctx, args),
    execution: async (_: unknown, { id }: { id: string }, ctx: GraphQLContext) => {
      need(ctx, "read", "Reading an execution");
      const row = await loadExecution(ctx, id);
      // Another task's execution reads as absent to a task-limited token, as over REST: an error would confirm it exists.
      return row && canTouchTask(ctx.principal, row.taskName) ? executionView(row) : null;
    },
  },
  Execution: {
    input: detail("input"),
    output: detail("output"),
    error: detail("error"),
    logs: detail("logs"),
    http: detail("http"),
    schedule: async (parent: ExecutionNode, _: unknown, ctx: GraphQLContext) => {
      if (!parent.schedule_id) return null;
      const id = parent.schedule_id;
      const row = await read(ctx, `schedule:${id}`, () => getSchedule(openDb(ctx.env.DB), id));
      return row && canTouchTask(ctx.principal, row.taskName) ? scheduleNode(row) : null;
    },
  },
};
