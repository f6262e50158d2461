import { z } from "zod";
import type { Problem } from "../engine/index.ts";
import type { BackupInfo, TaskSummary } from "../workspace/workspace.ts";

/**
 * Result shapes shared by the tasks and tests tools. Output schemas forbid unknown keys when
 * clients check them, so each mapper copies exactly the fields its schema names.
 */

export const problemShape = z.object({
  severity: z.enum(["error", "warning"]),
  file: z.string(),
  pointer: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
  message: z.string(),
  hint: z.string().optional(),
});

export const problemOf = (p: Problem): z.infer<typeof problemShape> => ({
  severity: p.severity,
  file: p.file,
  pointer: p.pointer,
  line: p.line,
  column: p.column,
  message: p.message,
  hint: p.hint,
});

export const taskSummaryShape = z.object({
  name: z.string().describe("Pass as task_id to the other tools"),
  label: z.string(),
  description: z.string().optional(),
  version: z.string(),
  tags: z.array(z.string()),
  hash: z.string().describe("Content hash of the task's bundle document"),
  enabled: z.boolean(),
  location: z.string().describe("The task folder, or `deployed`"),
});

export const summaryOf = (t: TaskSummary): z.infer<typeof taskSummaryShape> => ({
  name: t.name,
  label: t.label,
  description: t.description,
  version: t.version,
  tags: [...t.tags],
  hash: t.hash,
  enabled: t.enabled,
  location: t.location,
});

export const backupShape = z.object({
  id: z.string().describe("Pass as backup_id to ratchet_restore_task_backup, or as a version to ratchet_compare_task_versions"),
  version: z.string(),
  hash: z.string(),
  created_at: z.string(),
  note: z.string().optional(),
});

export const backupOf = (b: BackupInfo): z.infer<typeof backupShape> => ({ id: b.id, version: b.version, hash: b.hash, created_at: b.created_at, note: b.note });

/** What every tool that saves a task answers. */
export const savedShape = z.object({
  task: taskSummaryShape,
  warnings: z.array(problemShape).describe("Problems that do not stop the task from running"),
  previous_hash: z.string().describe("Hash of the content replaced (\"\" when it was not a valid task); it is kept as a backup (ratchet_get_task_info lists backups)"),
});

/** The argument naming a task, as the guide spells it. */
export const taskIdArg = z.string().min(1).describe("Task name under the tasks folder (or deployed name), or a task folder path");
