import type { Problem } from "../../engine/index.ts";
import { WorkspaceError } from "../../workspace/workspace.ts";
import { ApiError } from "../errors.ts";

interface Details {
  problems?: Problem[];
  issues?: { pointer: string; message: string }[];
  test_files?: string[];
}

const HINTS: Record<string, string> = {
  not_found: "List what exists (ratchet_list_available_tasks, ratchet_list_executions, ratchet_list_schedules) and use one of those names or ids.",
  task_disabled: "Enable it first: PATCH /api/v1/tasks/{name} with {\"enabled\": true} on the Ratchet API.",
  invalid_bundle: "Fix every problem listed (file, line and message) and try again.",
  invalid_task: "Create the task first (ratchet_create_task), then schedule it.",
  invalid_request: "Correct what the message names and call again.",
  storage_unavailable: "The platform's storage (D1/R2) is failing: wait a few seconds and call again.",
  not_recorded: "The task ran but its execution record was lost to a storage failure: calling again runs the task again.",
};

/** The platform's refusal (an ApiError, which the HTTP API renders as a status) as the Workspace contract's error; anything else unchanged. */
export function asWorkspaceError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = (error.details ?? {}) as Details;
  const issues = (details.issues ?? []).map((issue) => `; ${issue.pointer || "(root)"}: ${issue.message}`).join("");
  const testFiles = details.test_files && (details.test_files.length > 0 ? `Its test files: ${details.test_files.join(", ")}.` : "It has no tests yet; add one under tests/.");
  const hint = testFiles ?? HINTS[error.code] ?? (error.code.startsWith("invalid_") ? HINTS.invalid_request : undefined);
  const code =
    error.status === 404 ? "not_found" : error.code === "invalid_bundle" ? "invalid" : error.status === 409 && error.code !== "task_disabled" ? "exists" : error.status === 503 ? "unreachable" : "bad_request";
  return new WorkspaceError(code, `${error.message}${issues}`, { ...(hint ? { hint } : {}), ...(details.problems ? { problems: details.problems } : {}) });
}

/** Runs a platform operation, its refusals turned into WorkspaceErrors. */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asWorkspaceError(error);
  }
}
