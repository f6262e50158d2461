import type { ExecutionLimits } from "../../engine/index.ts";
import type { ExecutionRow } from "../../store/executions.ts";
import type { TaskRow, VersionRow } from "../../store/tasks.ts";
import type { BackupInfo, ExecutionRecord, ExecutionSummary, TaskSummary } from "../../workspace/workspace.ts";
import { executionSummaryView, executionView } from "../views.ts";

/** Where a platform task lives, in TaskSummary.location. */
export const DEPLOYED = "deployed";

export function taskSummary(task: TaskRow, version: VersionRow): TaskSummary {
  return {
    name: task.name,
    label: version.label,
    ...(version.description === null ? {} : { description: version.description }),
    version: version.version,
    tags: version.tags,
    hash: version.hash,
    enabled: task.enabled,
    location: DEPLOYED,
  };
}

/** A version as a backup: every version stays, so each is one, named by its version string. */
export function versionBackup(version: VersionRow, current: boolean): BackupInfo {
  return { id: version.version, version: version.version, hash: version.hash, created_at: version.createdAt, ...(current ? { note: "the current version" } : {}) };
}

export function executionSummary(row: ExecutionRow): ExecutionSummary {
  return executionSummaryView(row) as ExecutionSummary;
}

/** The API's GET /executions/{id} view, with the limits the row keeps among its timings given their own field, as the contract has them. */
export function recordOfRow(row: ExecutionRow): ExecutionRecord {
  const { stored_in: _stored, timings, ...view } = executionView(row) as ReturnType<typeof executionView> & { stored_in?: string };
  const { limits, ...figures } = (timings ?? {}) as ExecutionRecord["timings"] & { limits?: ExecutionLimits };
  return { ...(view as Omit<ExecutionRecord, "timings" | "limits">), timings: figures as ExecutionRecord["timings"], ...(limits ? { limits } : {}) };
}

