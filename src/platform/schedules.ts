import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { scheduleDeclarationSchema } from "../engine/index.ts";
import { createSchedule, ScheduleRejected } from "../schedules/service.ts";
import type { ScheduleRow } from "../store/schedules.ts";
import { findTask, openDb } from "../store/tasks.ts";
import { checkBody } from "./check-body.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";

const createSchema = {
  ...scheduleDeclarationSchema,
  required: ["task", "cron"],
  properties: { ...scheduleDeclarationSchema.properties, task: { type: "string", minLength: 1 } },
} as const satisfies JSONSchema;
type ScheduleCreate = FromSchema<typeof createSchema>;

/** Runs a schedule change, turning a rejection into 400 naming the field. */
export async function accepted<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ScheduleRejected) {
      throw new ApiError(400, `invalid_${error.field}`, error.message, error.issues ? { field: error.field, issues: error.issues } : { field: error.field });
    }
    throw error;
  }
}

/**
 * A new schedule from a request document (POST /schedules, and the MCP tools): the document is
 * checked, the task must be deployed, and cron, time zone and input are checked against it.
 */
export async function createScheduleFromRequest(env: Env, request: unknown): Promise<ScheduleRow> {
  const body = checkBody<ScheduleCreate>(createSchema, request, "The schedule");
  const db = openDb(env.DB);
  const found = await findTask(db, body.task);
  if (!found) throw new ApiError(400, "invalid_task", `No task named ${body.task}; deploy it first`, { field: "task" });
  const { task: _task, ...declaration } = body;
  return accepted(() => createSchedule(db, found.version, declaration, { source: "api" }));
}
