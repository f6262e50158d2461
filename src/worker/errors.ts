import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An API failure with its HTTP status and stable code; rendered as the one error envelope. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function errorEnvelope(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Every error leaves as `{ error: { code, message, details } }`; never a host stack trace. */
export function renderError(error: unknown, c: Context): Response {
  if (error instanceof ApiError) return c.json(errorEnvelope(error.code, error.message, error.details), error.status);
  console.error("unhandled error", error);
  return c.json(errorEnvelope("internal", "Internal error; the incident was logged"), 500);
}

export const notFound = (c: Context) => c.json(errorEnvelope("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
