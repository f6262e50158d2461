import { compileSchema } from "../engine/index.ts";
import { ApiError } from "./errors.ts";

/**
 * Checks a request document against its schema (the same validator tasks use); 400 with every
 * issue. `T` is the schema's own type (FromSchema), declared beside it.
 */
export function checkBody<T>(schema: object, value: unknown, what: string): T {
  const issues = compileSchema(schema).check(value);
  if (issues.length > 0) throw new ApiError(400, "invalid_request", `${what} is not valid`, { issues });
  return value as T;
}
