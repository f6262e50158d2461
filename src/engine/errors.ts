/**
 * Every way an execution can fail has a type name of its own, so callers (CLI exit
 * codes, HTTP status codes, test expectations) can branch on it without parsing text.
 */
export const LIMIT_ERROR_TYPES = [
  "CpuLimitError",
  "TimeLimitError",
  "MemoryLimitError",
  "StackLimitError",
  "FetchLimitError",
  "OutputLimitError",
  "LogLimitError",
] as const;

export type LimitErrorType = (typeof LIMIT_ERROR_TYPES)[number];

/** Errors the platform raises itself (guest code throws its own names: Error, DataError, ...). */
export type PlatformErrorType =
  | LimitErrorType
  | "InputSchemaError"
  | "OutputSchemaError"
  | "EntryPointError"
  | "InvalidTaskError"
  | "SandboxError"
  | "SandboxBusyError";

/** Error classes the guide gives task code; they exist inside the sandbox as real Error subclasses. */
export const GUEST_ERROR_CLASSES = [
  "NetworkError",
  "DataError",
  "ValidationError",
  "TimeoutError",
  "AuthenticationError",
  "RateLimitError",
] as const;

export interface ExecutionError {
  /** A PlatformErrorType, or the `name` of what the guest threw. */
  type: string;
  message: string;
  /** The guest's stack, with main.js line numbers, when the guest threw. */
  stack?: string;
  /** Structured detail: schema issues, the limit that was hit, ... */
  details?: unknown;
}
