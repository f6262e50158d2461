import type { Context, Hono } from "hono";
import { canTouchTask } from "../../platform/access/principal.ts";
import { deleteSchedule, getSchedule, listRuns, listSchedules, type ScheduleRow } from "../../store/schedules.ts";
import { openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { executionReply } from "../execution-reply.ts";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { changeScheduleFromRequest, createScheduleFromRequest } from "../../platform/schedules.ts";
import { scheduleView } from "../../platform/views.ts";
import { limitParam, readJson } from "../request.ts";
import { requireScope, requireTask } from "../middleware/scope.ts";
import { resource } from "../resource.ts";

/** The schedule of the route's :id; another task's reads as absent to a task-limited token (a 403 would confirm it exists). */
async function requireSchedule(c: Context<AppEnv>): Promise<ScheduleRow> {
  const id = c.req.param("id") ?? "";
  const row = await getSchedule(openDb(c.env.DB), id);
  if (!row || !canTouchTask(c.get("principal"), row.taskName)) throw new ApiError(404, "not_found", `No schedule ${id}`);
  return row;
}

export function scheduleRoutes(app: Hono<AppEnv>): void {
  resource(app, "/schedules", {
    GET: [
      requireScope("read"),
      async (c) => {
        const rows = await listSchedules(openDb(c.env.DB), c.req.query("task"), c.get("principal").tasks);
        return c.json({ schedules: rows.map((row) => scheduleView(row)) });
      },
    ],
    POST: [
      requireScope("deploy"),
      async (c) => {
        const body = await readJson(c);
        // The schema is checked by createScheduleFromRequest; a task named here must be one the token may touch.
        const task = typeof body === "object" && body !== null ? (body as { task?: unknown }).task : undefined;
        if (typeof task === "string") requireTask(c.get("principal"), task);
        const row = await createScheduleFromRequest(c.env, body);
        return c.json(scheduleView(row, 5), 201);
      },
    ],
  });

  resource(app, "/schedules/:id", {
    GET: [requireScope("read"), async (c) => c.json(scheduleView(await requireSchedule(c), 5))],
    PATCH: [
      requireScope("deploy"),
      async (c) => {
        const current = await requireSchedule(c);
        return c.json(scheduleView(await changeScheduleFromRequest(c.env, current, await readJson(c)), 5));
      },
    ],
    DELETE: [
      requireScope("deploy"),
      async (c) => {
        const row = await requireSchedule(c);
        await deleteSchedule(openDb(c.env.DB), row.id);
        return c.json({ deleted: row.id });
      },
    ],
  });

  resource(app, "/schedules/:id/trigger", {
    POST: [requireScope("execute"), async (c) => {
      const row = await requireSchedule(c);
      const { result, recorded } = await invokeTask(c.env, c.executionCtx, row.taskName, row.input, { trigger: "schedule", scheduleId: row.id });
      await recorded;
      return executionReply(c, result, "envelope");
    }],
  });

  resource(app, "/schedules/:id/runs", {
    GET: [requireScope("read"), async (c) => {
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
    }],
  });
}
