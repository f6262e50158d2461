import { canTouchTask } from "../../platform/access/principal.ts";
import { executionView } from "../../platform/views.ts";
import { getExecution, listExecutions, type ExecutionQuery, type ExecutionRow } from "../../store/executions.ts";
import { getSchedule } from "../../store/schedules.ts";
import { openDb } from "../../store/tasks.ts";
import { need, read, touch, type GraphQLContext } from "../context.ts";
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

/** The store's query, counted as a read. */
function list(ctx: GraphQLContext, query: ExecutionQuery): Promise<ExecutionRow[]> {
  return read(ctx, `executions:${JSON.stringify(query)}`, () => listExecutions(openDb(ctx.env.DB), query));
}

/**
 * Executions newest first, as GET /executions lists them. A token limited to some tasks sees
 * those tasks' only: one query per task it covers (each on the task index), merged by id, which
 * orders by start time (UUIDv7).
 */
async function visibleExecutions(ctx: GraphQLContext, query: ExecutionQuery): Promise<ExecutionRow[]> {
  if (query.task !== undefined) {
    touch(ctx, query.task);
    return list(ctx, query);
  }
  const allowed = ctx.principal.tasks;
  if (allowed === null) return list(ctx, query);
  const lists = await Promise.all(allowed.map((task) => list(ctx, { ...query, task })));
  return lists
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : -1))
    .slice(0, query.limit);
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
      if (!row) return null;
      touch(ctx, row.taskName);
      return executionView(row);
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
