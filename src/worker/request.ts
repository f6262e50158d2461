import type { Context } from "hono";
import { compileSchema, TASK_NAME_RULE, isTaskName } from "../engine/index.ts";
import { ApiError } from "./errors.ts";

/** Reads the JSON body, refusing malformed JSON with 400 and where it broke. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "The request body is empty; send JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Checks a request document against its schema (the same validator tasks use); 400 with every
 * issue. `T` is the schema's own type (FromSchema), declared beside it.
 */
export function checkBody<T>(schema: object, value: unknown, what: string): T {
  const issues = compileSchema(schema).check(value);
  if (issues.length > 0) throw new ApiError(400, "invalid_request", `${what} is not valid`, { issues });
  return value as T;
}

export function taskName(c: Context): string {
  const name = c.req.param("name") ?? "";
  if (!isTaskName(name)) {
    throw new ApiError(400, "invalid_name", `Task name "${name}" is not valid: ${TASK_NAME_RULE}`);
  }
  return name;
}

/** A positive integer query parameter, bounded; 400 when malformed. */
export function limitParam(c: Context, fallback: number, max: number): number {
  const raw = c.req.query("limit");
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ApiError(400, "invalid_query", `limit must be an integer from 1 to ${max}`);
  return value;
}
