import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { scheduleDeclarationSchema } from "../engine/index.ts";
import { changeSchedule, createSchedule, ScheduleRejected } from "../schedules/service.ts";
import type { ScheduleRow } from "../store/schedules.ts";
import { findTask, openDb } from "../store/tasks.ts";
import { checkBody } from "./check-body.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";

/** POST /schedules' body; the OpenAPI document shows this same object. */
export const scheduleCreateSchema = {
  ...scheduleDeclarationSchema,
  required: ["task", "cron"],
  properties: { ...scheduleDeclarationSchema.properties, task: { type: "string", minLength: 1 } },
} as const satisfies JSONSchema;
type ScheduleCreate = FromSchema<typeof scheduleCreateSchema>;

/** PATCH /schedules/{id}' body. */
export const scheduleChangeSchema = { ...scheduleDeclarationSchema, required: [], minProperties: 1 } as const satisfies JSONSchema;
type ScheduleChange = FromSchema<typeof scheduleChangeSchema>;

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
  const body = checkBody<ScheduleCreate>(scheduleCreateSchema, request, "The schedule");
  const db = openDb(env.DB);
  const found = await findTask(db, body.task);
  if (!found) throw new ApiError(400, "invalid_task", `No task named ${body.task}; deploy it first`, { field: "task" });
  const { task: _task, ...declaration } = body;
  return accepted(() => createSchedule(db, found.version, declaration, { source: "api" }));
}

/**
 * A change to a schedule from a request document (PATCH /schedules/{id}, GraphQL's updateSchedule):
 * checked, then applied against the task's current version, which must still exist.
 */
export async function changeScheduleFromRequest(env: Env, current: ScheduleRow, request: unknown): Promise<ScheduleRow> {
  const change = checkBody<ScheduleChange>(scheduleChangeSchema, request, "The schedule change");
  const db = openDb(env.DB);
  const found = await findTask(db, current.taskName);
  if (!found) throw new ApiError(409, "task_missing", `Task ${current.taskName} no longer exists; deploy it again or delete this schedule`);
  return accepted(() => changeSchedule(db, current, found.version, change));
}
