import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * A failure the caller can act on, with its stable code and the HTTP status it maps to. The
 * platform throws it (no task, task disabled); each host renders it its own way.
 */
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
