import type { Context, Hono } from "hono";
import { canTouchTask } from "../../platform/access/principal.ts";
import { deleteSchedule, getSchedule, listRuns, listSchedules, type ScheduleRow } from "../../store/schedules.ts";
import { openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { ApiError } from "../errors.ts";
import { executionReply } from "../execution-reply.ts";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { changeScheduleFromRequest, createScheduleFromRequest, scheduleChangeSchema, scheduleCreateSchema } from "../../platform/schedules.ts";
import { scheduleView } from "../../platform/views.ts";
import { limitParam, readJson } from "../../http/request.ts";
import { requireTask } from "../middleware/scope.ts";
import { schemaRef } from "../openapi/schemas.ts";
import { resource } from "../resource.ts";

/** The schedule of the route's :id; another task's reads as absent to a task-limited token (a 403 would confirm it exists). */
async function requireSchedule(c: Context<AppEnv>): Promise<ScheduleRow> {
  const id = c.req.param("id") ?? "";
  const row = await getSchedule(openDb(c.env.DB), id);
  if (!row || !canTouchTask(c.get("principal"), row.taskName)) throw new ApiError(404, "not_found", `No schedule ${id}`);
  return row;
}

const scheduleId = { id: { description: "The schedule's id" } };
const noSchedule = { description: "not_found: no schedule by that id (or one of a task the token may not touch)" };

const scheduleRunsSchema = {
  type: "object",
  required: ["schedule_id", "runs"],
  properties: {
    schedule_id: { type: "string" },
    runs: {
      type: "array",
      items: {
        type: "object",
        required: ["slot", "status", "attempts"],
        properties: {
          slot: { type: "string", format: "date-time" },
          status: { type: "string" },
          attempts: { type: "integer" },
          next_attempt_at: { type: ["string", "null"] },
          first_execution_id: { type: ["string", "null"] },
          last_execution_id: { type: ["string", "null"] },
          updated_at: { type: "string" },
        },
      },
    },
  },
};

export function scheduleRoutes(app: Hono<AppEnv>): void {
  resource(app, "/schedules", {
    GET: {
      scope: "read",
      doc: {
        tag: "schedules",
        summary: "List schedules",
        query: { task: { description: "Only this task's schedules" } },
        responses: { 200: { description: "The schedules", schema: { type: "object", required: ["schedules"], properties: { schedules: { type: "array", items: schemaRef("Schedule") } } } } },
      },
      handler: async (c) => {
        const rows = await listSchedules(openDb(c.env.DB), c.req.query("task"), c.get("principal").tasks);
        return c.json({ schedules: rows.map((row) => scheduleView(row)) });
      },
    },
    POST: {
      scope: "deploy",
      doc: {
        tag: "schedules",
        summary: "Create a schedule",
        body: { description: "The schedule", schema: scheduleCreateSchema },
        responses: {
          201: { description: "The schedule, with its next five run times", schema: "Schedule" },
          400: { description: "invalid_request, invalid_task, invalid_cron, invalid_timezone or invalid_input: what is wrong, by field" },
        },
      },
      handler: async (c) => {
        const body = await readJson(c);
        // The schema is checked by createScheduleFromRequest; a task named here must be one the token may touch.
        const task = typeof body === "object" && body !== null ? (body as { task?: unknown }).task : undefined;
        if (typeof task === "string") requireTask(c.get("principal"), task);
        const row = await createScheduleFromRequest(c.env, body);
        return c.json(scheduleView(row, 5), 201);
      },
    },
  });

  resource(app, "/schedules/:id", {
    GET: {
      scope: "read",
      doc: { tag: "schedules", summary: "Get a schedule", params: scheduleId, responses: { 200: { description: "The schedule, with its next five run times", schema: "Schedule" }, 404: noSchedule } },
      handler: async (c) => c.json(scheduleView(await requireSchedule(c), 5)),
    },
    PATCH: {
      scope: "deploy",
      doc: {
        tag: "schedules",
        summary: "Change a schedule",
        description: "Only the fields given change; cron, time zone and input are checked against the task's current version.",
        params: scheduleId,
        body: { description: "The fields to change", schema: scheduleChangeSchema },
        responses: {
          200: { description: "The schedule, with its next five run times", schema: "Schedule" },
          400: { description: "invalid_request, invalid_cron, invalid_timezone or invalid_input: what is wrong, by field" },
          404: noSchedule,
          409: { description: "task_missing: the schedule's task no longer exists" },
        },
      },
      handler: async (c) => {
        const current = await requireSchedule(c);
        return c.json(scheduleView(await changeScheduleFromRequest(c.env, current, await readJson(c)), 5));
      },
    },
    DELETE: {
      scope: "deploy",
      doc: {
        tag: "schedules",
        summary: "Delete a schedule",
        params: scheduleId,
        responses: { 200: { description: "Deleted", schema: { type: "object", required: ["deleted"], properties: { deleted: { type: "string" } } } }, 404: noSchedule },
      },
      handler: async (c) => {
        const row = await requireSchedule(c);
        await deleteSchedule(openDb(c.env.DB), row.id);
        return c.json({ deleted: row.id });
      },
    },
  });

  resource(app, "/schedules/:id/trigger", {
    POST: {
      scope: "execute",
      rateLimited: true,
      doc: {
        tag: "schedules",
        summary: "Run a schedule now",
        description: "Runs the schedule's task with its input, recorded with trigger 'schedule'; answers as POST /tasks/{name}/execute does.",
        params: scheduleId,
        responses: {
          200: { description: "The task completed", schema: "ExecutionEnvelope" },
          400: { description: "invalid_input: the schedule's input does not match the task's input schema" },
          404: { description: "not_found: no schedule by that id, or its task is gone" },
          409: { description: "task_disabled: the task is disabled" },
          422: { description: "task_failed: the task threw or returned output its schema refuses" },
          503: { description: "busy, storage_unavailable or not_recorded; Retry-After says when to try again" },
        },
      },
      handler: async (c) => {
        const row = await requireSchedule(c);
        const { result, answerable } = await invokeTask(c.env, c.executionCtx, row.taskName, row.input, { trigger: "schedule", scheduleId: row.id });
        await answerable;
        return executionReply(c, result, "envelope");
      },
    },
  });

  resource(app, "/schedules/:id/runs", {
    GET: {
      scope: "read",
      doc: {
        tag: "schedules",
        summary: "A schedule's runs",
        description: "One entry per slot, newest first, with its attempts and executions.",
        params: scheduleId,
        query: { limit: { description: "How many, 1 to 200 (default 50)", schema: { type: "integer", minimum: 1, maximum: 200 } } },
        responses: { 200: { description: "The runs", schema: scheduleRunsSchema }, 400: { description: "invalid_query: limit out of range" }, 404: noSchedule },
      },
      handler: async (c) => {
        const row = await requireSchedule(c);
        const runs = await listRuns(openDb(c.env.DB), row.id, limitParam(c, 50, 200));
        return c.json({
          schedule_id: row.id,
          runs: runs.map((r) => ({
            slot: r.slot,
            status: r.status,
            attempts: r.attempt,
            next_attempt_at: r.nextAttemptAt,
            first_execution_id: r.firstExecutionId,
            last_execution_id: r.lastExecutionId,
            updated_at: r.updatedAt,
          })),
        });
      },
    },
  });
}
