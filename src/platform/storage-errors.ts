import { ApiError } from "./errors.ts";

/** Seconds a client is told to wait before trying again after a storage failure. */
export const STORAGE_RETRY_AFTER_SECONDS = 1;

/**
 * D1 or R2 failed while the platform did something on the client's behalf: a 503 the client can
 * act on (try again after `retryAfterSeconds`; hosts send it as Retry-After).
 */
export class StorageUnavailableError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(code: "storage_unavailable" | "not_recorded", message: string, details?: unknown, retryAfterSeconds = STORAGE_RETRY_AFTER_SECONDS) {
    super(503, code, message, details);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a step that talks to D1 or R2 and turns what the stores throw into a typed 503 saying
 * what failed and what to do. The platform's own refusals pass through: every ApiError, and the
 * classes in `refusals` (a version conflict, say), which the caller maps itself.
 */
export async function storageStep<T>(what: string, advice: string, work: () => Promise<T>, refusals: ErrorClass[] = []): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError || refusals.some((refusal) => error instanceof refusal)) throw error;
    console.error(`storage failed while ${what}`, error);
    throw new StorageUnavailableError("storage_unavailable", `Storage (D1/R2) failed while ${what}: ${error instanceof Error ? error.message : String(error)}. ${advice}`);
  }
}
