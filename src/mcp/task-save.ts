import type { TaskFiles } from "../engine/index.ts";
import { WorkspaceError, type TaskSnapshot, type Workspace } from "../workspace/workspace.ts";
import { problemOf, summaryOf } from "./task-shapes.ts";

const sameFiles = (a: TaskFiles, b: TaskFiles) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([path, text]) => b[path] === text);

/**
 * Reads a task's files (valid or not, so a task broken by hand can be repaired), changes them, and
 * saves them through the workspace, which validates them first (nothing is written when invalid)
 * and keeps the replaced content as a backup.
 */
export async function editTask(workspace: Workspace, ref: string, note: string, change: (files: TaskFiles) => TaskFiles | Promise<TaskFiles>) {
  const before = await workspace.readFiles(ref);
  const files = await change({ ...before });
  // Saving the same content again would only add a backup: skipping it keeps a repeated call idempotent.
  if (sameFiles(files, before)) {
    const current = await workspace.getTask(ref);
    const checked = await workspace.check(files);
    return { task: summaryOf(current), warnings: checked.ok ? checked.warnings.map(problemOf) : [], previous_hash: current.hash };
  }
  const previous = await workspace.check(before);
  const saved = await workspace.saveTask(ref, files, note);
  return { task: summaryOf(saved.task), warnings: saved.warnings.map(problemOf), previous_hash: previous.ok ? previous.bundle.hash : "" };
}

/** The task's current snapshot, or undefined when there is no task by that name (deleted, or not made yet). */
export function currentTask(workspace: Workspace, ref: string): Promise<TaskSnapshot | undefined> {
  return workspace.getTask(ref).catch((error: unknown) => {
    if (error instanceof WorkspaceError && error.code === "not_found") return undefined;
    throw error;
  });
}
