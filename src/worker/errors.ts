import type { Context } from "hono";
import { ApiError } from "../platform/errors.ts";
import { StorageUnavailableError } from "../platform/storage-errors.ts";

export { ApiError };

export function errorEnvelope(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Every error leaves as `{ error: { code, message, details } }`; never a host stack trace. */
export function renderError(error: unknown, c: Context): Response {
  // A storage fault says when to try again.
  if (error instanceof StorageUnavailableError) c.header("Retry-After", String(error.retryAfterSeconds));
  if (error instanceof ApiError) return c.json(errorEnvelope(error.code, error.message, error.details), error.status);
  console.error("unhandled error", error);
  return c.json(errorEnvelope("internal", "Internal error; the incident was logged"), 500);
}

export const notFound = (c: Context) => c.json(errorEnvelope("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
