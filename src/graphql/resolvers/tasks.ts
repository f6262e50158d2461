import { isTaskName, TASK_NAME_RULE } from "../../engine/index.ts";
import { ApiError } from "../../platform/errors.ts";
import { deployTask, rollbackTask } from "../../platform/task-ops.ts";
import { taskDetailView, versionView } from "../../platform/views.ts";
import { findTask, listTasks, listVersions, openDb, type TaskListQuery } from "../../store/tasks.ts";
import { need, read, touch, type GraphQLContext } from "../context.ts";
import { connection, decodeCursor, pageSize } from "../pagination.ts";
import { executionConnection, type ExecutionFilters } from "./executions.ts";
import { scheduleNode, schedulesOf } from "./schedules.ts";

type TaskNode = ReturnType<typeof taskDetailView>;
type Listed = Awaited<ReturnType<typeof listTasks>>;

/** Tasks by name as GET /tasks lists them; a token limited to some tasks sees only those. */
function visibleTasks(ctx: GraphQLContext, query: TaskListQuery): Promise<Listed> {
  const visible = { ...query, names: ctx.principal.tasks };
  return read(ctx, `tasks:${JSON.stringify(visible)}`, () => listTasks(openDb(ctx.env.DB), visible));
}

/** A task name argument, refused as the REST path's name is when it is not one. */
export function checkedName(name: string): string {
  if (!isTaskName(name)) throw new ApiError(400, "invalid_name", `Task name "${name}" is not valid: ${TASK_NAME_RULE}`);
  return name;
}

interface TaskArgs {
  first?: number | null;
  after?: string | null;
  q?: string | null;
  tag?: string | null;
}

export const taskResolvers = {
  Query: {
    tasks: async (_: unknown, args: TaskArgs, ctx: GraphQLContext) => {
      need(ctx, "read", "Reading tasks");
      const size = pageSize(args.first, 50);
      const rows = await visibleTasks(ctx, { q: args.q ?? undefined, tag: args.tag ?? undefined, after: decodeCursor("tasks", args.after), limit: size + 1 });
      return connection(rows, size, "tasks", (row) => row.task.name, (row) => taskDetailView(row.task, row.version));
    },
    task: async (_: unknown, { name }: { name: string }, ctx: GraphQLContext) => {
      need(ctx, "read", "Reading a task");
      touch(ctx, name);
      const found = await read(ctx, `task:${name}`, () => findTask(openDb(ctx.env.DB), name));
      return found ? taskDetailView(found.task, found.version) : null;
    },
  },
  Task: {
    versions: async (parent: TaskNode, _: unknown, ctx: GraphQLContext) => {
      const versions = await read(ctx, `versions:${parent.name}`, () => listVersions(openDb(ctx.env.DB), parent.name));
      return versions.map(versionView);
    },
    schedules: async (parent: TaskNode, _: unknown, ctx: GraphQLContext) => (await schedulesOf(ctx, parent.name)).map(scheduleNode),
    executions: (parent: TaskNode, args: ExecutionFilters, ctx: GraphQLContext) => executionConnection(ctx, { ...args, task: parent.name }),
  },
  Mutation: {
    deployTask: async (_: unknown, { name, bundle }: { name: string; bundle: unknown }, ctx: GraphQLContext) => {
      need(ctx, "deploy", "Deploying a task");
      touch(ctx, checkedName(name));
      const deployed = await deployTask(ctx.env, name, bundle);
      return { outcome: deployed.outcome, task: taskDetailView(deployed.task, deployed.version), warnings: deployed.warnings };
    },
    rollbackTask: async (_: unknown, { name, version }: { name: string; version: string }, ctx: GraphQLContext) => {
      need(ctx, "deploy", "Rolling back a task");
      touch(ctx, checkedName(name));
      const rolledBack = await rollbackTask(ctx.env, name, version);
      return taskDetailView(rolledBack.task, rolledBack.version);
    },
  },
};
