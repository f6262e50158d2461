import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { scheduleDeclarationSchema } from "../../engine/index.ts";
import { changeSchedule } from "../../schedules/service.ts";
import { deleteSchedule, getSchedule, listRuns, listSchedules, type ScheduleRow } from "../../store/schedules.ts";
import { findTask, openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { executionReply } from "../execution-reply.ts";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { accepted, createScheduleFromRequest } from "../../platform/schedules.ts";
import { scheduleView } from "../../platform/views.ts";
import { checkBody, limitParam, readJson } from "../request.ts";
import { resource } from "../resource.ts";

const patchSchema = { ...scheduleDeclarationSchema, required: [], minProperties: 1 } as const satisfies JSONSchema;
type ScheduleChange = FromSchema<typeof patchSchema>;

async function requireSchedule(c: Context<AppEnv>): Promise<ScheduleRow> {
  const id = c.req.param("id") ?? "";
  const row = await getSchedule(openDb(c.env.DB), id);
  if (!row) throw new ApiError(404, "not_found", `No schedule ${id}`);
  return row;
}

export function scheduleRoutes(app: Hono<AppEnv>): void {
  resource(app, "/schedules", {
    GET: async (c) => {
      const rows = await listSchedules(openDb(c.env.DB), c.req.query("task"));
      return c.json({ schedules: rows.map((row) => scheduleView(row)) });
    },
    POST: async (c) => {
      const row = await createScheduleFromRequest(c.env, await readJson(c));
      return c.json(scheduleView(row, 5), 201);
    },
  });

  resource(app, "/schedules/:id", {
    GET: async (c) => c.json(scheduleView(await requireSchedule(c), 5)),
    PATCH: async (c) => {
      const current = await requireSchedule(c);
      const change = checkBody<ScheduleChange>(patchSchema, await readJson(c), "The schedule change");
      const db = openDb(c.env.DB);
      const found = await findTask(db, current.taskName);
      if (!found) throw new ApiError(409, "task_missing", `Task ${current.taskName} no longer exists; deploy it again or delete this schedule`);
      const row = await accepted(() => changeSchedule(db, current, found.version, change));
      return c.json(scheduleView(row, 5));
    },
    DELETE: async (c) => {
      const row = await requireSchedule(c);
      await deleteSchedule(openDb(c.env.DB), row.id);
      return c.json({ deleted: row.id });
    },
  });

  resource(app, "/schedules/:id/trigger", {
    POST: async (c) => {
      const row = await requireSchedule(c);
      const { result, recorded } = await invokeTask(c.env, c.executionCtx, row.taskName, row.input, { trigger: "schedule", scheduleId: row.id });
      await recorded;
      return executionReply(c, result, "envelope");
    },
  });

  resource(app, "/schedules/:id/runs", {
    GET: async (c) => {
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
  });
}
