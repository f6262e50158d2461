import { GraphQLError } from "graphql";
import { canTouchTask } from "../../platform/access/principal.ts";
import { ApiError } from "../../platform/errors.ts";
import { changeScheduleFromRequest, createScheduleFromRequest } from "../../platform/schedules.ts";
import { executionView, scheduleView } from "../../platform/views.ts";
import { deleteSchedule, getSchedule, listRuns, listSchedules, type ScheduleRow, type ScheduleRunRow } from "../../store/schedules.ts";
import { openDb } from "../../store/tasks.ts";
import { need, read, touch, type GraphQLContext } from "../context.ts";
import { QUERY_LIMITS } from "../limits.ts";
import { loadExecution } from "./executions.ts";

/** A schedule as GET /schedules/{id} shows it (with its next five run times). */
export const scheduleNode = (row: ScheduleRow) => scheduleView(row, 5);
type ScheduleNode = ReturnType<typeof scheduleNode>;

/** Schedules (of `task`), those of the principal's tasks only. */
export function schedulesOf(ctx: GraphQLContext, task?: string): Promise<ScheduleRow[]> {
  return read(ctx, `schedules:${task ?? ""}`, () => listSchedules(openDb(ctx.env.DB), task, ctx.principal.tasks));
}

/** The schedule `id` if the principal may see it: another task's reads as absent to a task-limited token, as over REST. */
async function visibleSchedule(ctx: GraphQLContext, id: string): Promise<ScheduleRow | undefined> {
  const row = await read(ctx, `schedule:${id}`, () => getSchedule(openDb(ctx.env.DB), id));
  return row && canTouchTask(ctx.principal, row.taskName) ? row : undefined;
}

async function requireSchedule(ctx: GraphQLContext, id: string): Promise<ScheduleRow> {
  const row = await visibleSchedule(ctx, id);
  if (!row) throw new ApiError(404, "not_found", `No schedule ${id}; list them with the schedules query`);
  return row;
}

const runView = (run: ScheduleRunRow) => ({
  slot: run.slot,
  status: run.status,
  attempts: run.attempt,
  next_attempt_at: run.nextAttemptAt,
  updated_at: run.updatedAt,
  first_execution_id: run.firstExecutionId,
  last_execution_id: run.lastExecutionId,
});
type RunNode = ReturnType<typeof runView>;

const executionById = async (ctx: GraphQLContext, id: string | null) => {
  const row = id === null ? undefined : await loadExecution(ctx, id);
  return row ? executionView(row) : null;
};

export const scheduleResolvers = {
  Query: {
    schedules: async (_: unknown, { task }: { task?: string | null }, ctx: GraphQLContext) => {
      need(ctx, "read", "Reading schedules");
      return (await schedulesOf(ctx, task ?? undefined)).map(scheduleNode);
    },
    schedule: async (_: unknown, { id }: { id: string }, ctx: GraphQLContext) => {
      need(ctx, "read", "Reading a schedule");
      const row = await visibleSchedule(ctx, id);
      return row ? scheduleNode(row) : null;
    },
  },
  Schedule: {
    runs: async (parent: ScheduleNode, { limit }: { limit?: number | null }, ctx: GraphQLContext) => {
      const size = limit ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > QUERY_LIMITS.pageSize) {
        throw new GraphQLError(`limit must be an integer from 1 to ${QUERY_LIMITS.pageSize}`, { extensions: { code: "invalid_query" } });
      }
      const runs = await read(ctx, `runs:${parent.id}:${size}`, () => listRuns(openDb(ctx.env.DB), parent.id, size));
      return runs.map(runView);
    },
  },
  ScheduleRun: {
    first_execution: (parent: RunNode, _: unknown, ctx: GraphQLContext) => executionById(ctx, parent.first_execution_id),
    last_execution: (parent: RunNode, _: unknown, ctx: GraphQLContext) => executionById(ctx, parent.last_execution_id),
  },
  Mutation: {
    createSchedule: async (_: unknown, { input }: { input: unknown }, ctx: GraphQLContext) => {
      need(ctx, "deploy", "Creating a schedule");
      const task = (input as { task?: unknown } | null)?.task;
      if (typeof task === "string") touch(ctx, task);
      return scheduleNode(await createScheduleFromRequest(ctx.env, input));
    },
    updateSchedule: async (_: unknown, { id, change }: { id: string; change: unknown }, ctx: GraphQLContext) => {
      need(ctx, "deploy", "Changing a schedule");
      return scheduleNode(await changeScheduleFromRequest(ctx.env, await requireSchedule(ctx, id), change));
    },
    deleteSchedule: async (_: unknown, { id }: { id: string }, ctx: GraphQLContext) => {
      need(ctx, "deploy", "Deleting a schedule");
      const row = await requireSchedule(ctx, id);
      await deleteSchedule(openDb(ctx.env.DB), row.id);
      return { deleted: row.id };
    },
  },
};
