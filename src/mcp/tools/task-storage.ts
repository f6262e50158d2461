import { z } from "zod";
import { WorkspaceError } from "../../workspace/workspace.ts";
import { diffTaskFiles } from "../task-diff.ts";
import { taskFilePath } from "../task-files.ts";
import { currentTask, editTask } from "../task-save.ts";
import { backupOf, backupShape, problemOf, problemShape, savedShape, summaryOf, taskIdArg, taskSummaryShape } from "../task-shapes.ts";
import { defineTool } from "../tool.ts";

/** The tasks toolset's file, backup and bundle tools. */

/** Text per answer, well under the 80 KB an answer may carry (JSON escaping can double it). */
const MAX_CHARS = 30_000;

const readTaskFile = defineTool({
  name: "ratchet_read_task_file",
  title: "Read a task file",
  description:
    "Returns the text of one file of a task (metadata.json, main.js, input.schema.json, output.schema.json or tests/NAME.json), of its current content or of a backup (`version`). " +
    "Long files come in pieces of up to max_chars characters: pass next_offset as offset for the next. Use it to see exactly what a file holds before editing it. " +
    'Example: {"task_id": "addition", "path": "main.js"}',
  toolset: "tasks",
  input: z.object({
    task_id: taskIdArg,
    path: z.string().min(1).describe('Path inside the task folder, e.g. "main.js" or "tests/basic.json"'),
    version: z.string().optional().describe("A backup id (ratchet_get_task_info lists them) or version; default the current content"),
    offset: z.number().int().min(0).optional(),
    max_chars: z.number().int().min(1).max(MAX_CHARS).optional().describe(`Default ${MAX_CHARS}`),
  }),
  output: z.object({ path: z.string(), content: z.string(), total_chars: z.number(), next_offset: z.number().nullable() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, path, version, offset = 0, max_chars = MAX_CHARS }, { workspace }) {
    const file = taskFilePath(path);
    const files = await workspace.readFiles(task_id, version === undefined ? undefined : { version });
    const text = files[file];
    if (text === undefined) throw new WorkspaceError("not_found", `${task_id} has no ${file}`, { hint: `Its files: ${Object.keys(files).sort().join(", ")}.` });
    const end = Math.min(text.length, offset + max_chars);
    return { path: file, content: text.slice(offset, end), total_chars: text.length, next_offset: end < text.length ? end : null };
  },
});

const writeTaskFile = defineTool({
  name: "ratchet_write_task_file",
  title: "Write a task file",
  description:
    "Writes one whole file of a task (metadata.json, main.js, input.schema.json, output.schema.json or tests/NAME.json, created if new). " +
    "The task with the new file is validated first: when it would be invalid nothing is written and every problem is returned; the previous content is kept as a backup. " +
    "Use it for edits the narrower tools do not cover (ratchet_update_task_code, ratchet_update_task_schemas, ratchet_create_test_case). Returns the task, warnings and the replaced content's hash. " +
    'Example: {"task_id": "addition", "path": "tests/zero.json", "content": "{\\"input\\": {\\"num1\\": 0, \\"num2\\": 0}, \\"expected_output\\": {\\"sum\\": 0}}"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg, path: z.string().min(1), content: z.string() }),
  output: savedShape,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, path, content }, { workspace }) {
    const file = taskFilePath(path);
    return editTask(workspace, task_id, `before ratchet_write_task_file ${file}`, (files) => ({ ...files, [file]: content }));
  },
});

const listTaskFiles = defineTool({
  name: "ratchet_list_task_files",
  title: "List a task's files",
  description:
    "Lists the files of a task with their sizes and resource URIs (ratchet://tasks/{name}/{file}). Use it to see what a task holds before reading or writing a file. " +
    'Example: {"task_id": "addition"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg }),
  output: z.object({ task: z.string(), files: z.array(z.object({ path: z.string(), bytes: z.number(), uri: z.string() })) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id }, { workspace }) {
    const task = await workspace.getTask(task_id);
    const files = Object.keys(task.files)
      .sort()
      .map((path) => ({ path, bytes: new TextEncoder().encode(task.files[path]!).byteLength, uri: `ratchet://tasks/${encodeURIComponent(task.name)}/${path}` }));
    return { task: task.name, files };
  },
});

const backupTask = defineTool({
  name: "ratchet_backup_task",
  title: "Back up a task",
  description:
    "Keeps a copy of a task's current content as a backup, with an optional note. (Every tool that changes a task already keeps the content it replaces.) " +
    "Use it before a risky change you may want to undo. Returns the backup: its id (for ratchet_restore_task_backup and ratchet_compare_task_versions), version, hash and time. " +
    'Example: {"task_id": "weather-api", "note": "before switching to the v3 API"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg, note: z.string().optional() }),
  output: backupShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ task_id, note }, { workspace }) {
    return backupOf(await workspace.backupTask(task_id, note));
  },
});

const restoreTaskBackup = defineTool({
  name: "ratchet_restore_task_backup",
  title: "Restore a task backup",
  description:
    "Replaces a task's content with one of its backups (ids from ratchet_get_task_info, ratchet_backup_task or ratchet_delete_task); the content replaced is itself kept as a backup, so a restore can be undone. " +
    "A deleted task is brought back the same way, by its name. Use it to go back to a state that worked. Returns the task, warnings and the replaced content's hash (null when there was no task). " +
    'Example: {"task_id": "weather-api", "backup_id": "0193a5c2-7f1e-7c3a-9b2d-5e8f0a1b2c3d"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg, backup_id: z.string().min(1) }),
  output: savedShape.extend({ previous_hash: z.string().nullable().describe("Hash of the content replaced, kept as a backup; null when the task did not exist") }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, backup_id }, { workspace }) {
    const current = await currentTask(workspace, task_id);
    const backup = current && (await workspace.listBackups(task_id)).find((b) => b.id === backup_id);
    // The task holds that content already: restoring again would only add a backup of it.
    if (current && backup && backup.hash === current.hash) return { task: summaryOf(current), warnings: [], previous_hash: current.hash };
    const restored = await workspace.restoreBackup(task_id, backup_id);
    return { task: summaryOf(restored.task), warnings: restored.warnings.map(problemOf), previous_hash: current?.hash ?? null };
  },
});

const exportTask = defineTool({
  name: "ratchet_export_task",
  title: "Export a task",
  description:
    "Returns a task as its canonical bundle document (format ratchet.bundle/1: metadata, code, input_schema, output_schema, tests, hash): one JSON value that ratchet_import_task accepts in any workspace (on the Worker's /mcp an imported task is deployed). " +
    "Use it to copy a task between workspaces or keep it outside the tasks folder. `version` exports a backup instead of the current content. " +
    'Example: {"task_id": "addition"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg, version: z.string().optional() }),
  output: z.object({ name: z.string(), document: z.record(z.string(), z.unknown()) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, version }, { workspace }) {
    const task = await workspace.getTask(task_id, version === undefined ? undefined : { version });
    return { name: task.name, document: { ...task.document } };
  },
});

const importTask = defineTool({
  name: "ratchet_import_task",
  title: "Import a task",
  description:
    "Creates a task named `name` from a bundle document (ratchet_export_task's `document`, as an object or JSON text). The document is validated first; nothing is written when it is invalid. " +
    "An existing task of that name is replaced only with overwrite: true (its content then kept as a backup). Returns the task and warnings. " +
    'Example: {"name": "addition-copy", "document": {"format": "ratchet.bundle/1", "metadata": {...}, "code": "...", "input_schema": {...}, "output_schema": {...}, "tests": []}}',
  toolset: "tasks",
  input: z.object({
    name: z.string().min(1),
    document: z.union([z.record(z.string(), z.unknown()), z.string()]),
    overwrite: z.boolean().optional(),
  }),
  output: z.object({ task: taskSummaryShape, warnings: z.array(problemShape), replaced: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ name, document, overwrite }, { workspace }) {
    let value: unknown = document;
    if (typeof document === "string") {
      try {
        value = JSON.parse(document);
      } catch (error) {
        throw new WorkspaceError("bad_request", `document is not valid JSON: ${(error as Error).message}`, { hint: "Pass ratchet_export_task's document as it was returned (an object), or its exact JSON text." });
      }
    }
    const exists = (await currentTask(workspace, name)) !== undefined;
    if (exists && !overwrite) throw new WorkspaceError("exists", `a task named ${name} exists already`, { hint: "Choose another name, or pass overwrite: true to replace it (its content is kept as a backup)." });
    const saved = await workspace.importTask(name, value);
    return { task: summaryOf(saved.task), warnings: saved.warnings.map(problemOf), replaced: exists };
  },
});

const CURRENT = "current";

const compareTaskVersions = defineTool({
  name: "ratchet_compare_task_versions",
  title: "Compare two states of a task",
  description:
    "A unified diff of code, schemas, metadata and tests between two states of a task: backups (ids from ratchet_get_task_info), versions, or \"current\" (the default for version_b). " +
    "Use it to see what a change did, or what a restore would undo. Returns the changed files and the diff (files narrows it; a diff over max_chars is cut and says so). " +
    'Example: {"task_id": "weather-api", "version_a": "0193a5c2-7f1e-7c3a-9b2d-5e8f0a1b2c3d", "version_b": "current"}',
  toolset: "tasks",
  input: z.object({
    task_id: taskIdArg,
    version_a: z.string().min(1),
    version_b: z.string().min(1).optional().describe('Default "current"'),
    files: z.array(z.string()).optional().describe('Only these paths, e.g. ["main.js"]'),
    max_chars: z.number().int().min(1).max(MAX_CHARS).optional(),
  }),
  output: z.object({ from: z.string(), to: z.string(), identical: z.boolean(), changed_files: z.array(z.string()), diff: z.string(), truncated: z.boolean() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, version_a, version_b = CURRENT, files, max_chars = MAX_CHARS }, { workspace }) {
    const at = (version: string) => workspace.getTask(task_id, version === CURRENT ? undefined : { version });
    const [a, b] = await Promise.all([at(version_a), at(version_b)]);
    const only = files?.map(taskFilePath);
    const pick = (all: Record<string, string>) => (only ? Object.fromEntries(Object.entries(all).filter(([path]) => only.includes(path))) : all);
    const { diff, changed_files } = diffTaskFiles(pick(a.files), pick(b.files), { from: version_a, to: version_b });
    return { from: version_a, to: version_b, identical: changed_files.length === 0, changed_files, diff: diff.slice(0, max_chars), truncated: diff.length > max_chars };
  },
});

export const taskStorageTools = [readTaskFile, writeTaskFile, listTaskFiles, backupTask, restoreTaskBackup, exportTask, importTask, compareTaskVersions];
