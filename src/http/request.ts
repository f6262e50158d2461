import type { Context } from "hono";
import { TASK_NAME_RULE, TOO_NESTED, isTaskName, nestsDeeperThan } from "../engine/index.ts";
import { ApiError } from "../platform/errors.ts";

export { checkBody } from "../platform/check-body.ts";

/** Reads the JSON body, refusing malformed JSON with 400 and where it broke. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "The request body is empty; send JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  // Storing, hashing and checking a body recurse through it: a deeper one would overflow the stack.
  if (nestsDeeperThan(value)) throw new ApiError(400, "invalid_json", `The request body is ${TOO_NESTED}`);
  return value;
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
