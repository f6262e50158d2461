import { z } from "zod";
import { TASK_FILES, type TaskFiles } from "../../engine/index.ts";
import { WorkspaceError, type Workspace } from "../../workspace/workspace.ts";
import { editTask } from "../task-save.ts";
import { buildTaskFiles } from "../task-scaffold.ts";
import { jsonText, labelFromName, parseJsonObject, testFiles } from "../task-files.ts";
import { backupOf, backupShape, problemOf, problemShape, savedShape, summaryOf, taskIdArg, taskSummaryShape } from "../task-shapes.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { runSuite, suiteShape } from "../test-suite.ts";
import { taskStorageTools } from "./task-storage.ts";

const jsonSchemaArg = z.union([z.record(z.string(), z.unknown()), z.boolean()]);
const testCaseArg = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  input: z.unknown(),
  expected_output: z.unknown().optional(),
  expected_error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional(),
  mock_http: z.object({ requests: z.array(z.record(z.string(), z.unknown())) }).optional(),
});

const createTask = defineTool({
  name: "ratchet_create_task",
  title: "Create a task",
  description:
    "Creates a new task folder (metadata.json with a fresh uuid, main.js, input.schema.json, output.schema.json, tests/*.json) from upstream Ratchet's fields " +
    "(description, code, input_schema, output_schema, tags, version, label, test_cases) or from whole `files`; what is left out is scaffolded (code that echoes its input, schemas accepting any object). " +
    "Use it to start a task; then execute it with ratchet_execute_task and run its tests with ratchet_test_task. " +
    "The result passes validation, or nothing is written and the error lists every problem with its file and JSON Pointer. Returns the task's summary, its files and any warnings. " +
    'Example: {"name": "add-numbers", "description": "Adds two numbers", "code": "(function(input) { return { sum: input.a + input.b }; })", ' +
    '"input_schema": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}, ' +
    '"test_cases": [{"name": "small", "input": {"a": 1, "b": 2}, "expected_output": {"sum": 3}}]}',
  toolset: "tasks",
  input: z.object({
    name: z.string().min(1).describe("Folder name of the new task under the tasks folder, e.g. weather-api"),
    files: z.record(z.string(), z.string()).optional().describe('Whole files by path, e.g. {"main.js": "...", "tests/a.json": "..."}; metadata.json without a uuid gets one'),
    label: z.string().optional().describe("Human name; default from `name`"),
    description: z.string().optional(),
    version: z.string().optional().describe("Semantic version, default 1.0.0"),
    tags: z.array(z.string()).optional(),
    code: z.string().optional().describe("main.js: (function(input, context) { ... })"),
    input_schema: jsonSchemaArg.optional().describe("JSON Schema (draft-07 or 2020-12) of the input"),
    output_schema: jsonSchemaArg.optional().describe("JSON Schema of the output"),
    test_cases: z.array(testCaseArg).optional().describe("Each becomes tests/<name>.json"),
  }),
  output: z.object({ task: taskSummaryShape, files: z.array(z.string()), warnings: z.array(problemShape) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ name, ...spec }, { workspace }) {
    const files = buildTaskFiles(name, spec);
    const created = await workspace.createTask(name, files);
    return { task: summaryOf(created.task), files: Object.keys(files).sort(), warnings: created.warnings.map(problemOf) };
  },
});

/** Enough to pick one to restore or compare; a long-lived platform task can have hundreds of versions. */
const MAX_BACKUPS_LISTED = 20;

const getTaskInfo = defineTool({
  name: "ratchet_get_task_info",
  title: "Get a task's details",
  description:
    "Describes one task: its summary (label, version, tags, hash), metadata, input and output schemas, test files with their names, files with sizes and resource URIs, and its newest backups. " +
    "Use it before changing or running a task, to learn what input it takes and what it returns. Set include_code to also get main.js. " +
    'Example: {"task_id_or_path": "addition"}',
  toolset: "tasks",
  input: z.object({ task_id_or_path: taskIdArg, include_code: z.boolean().optional().describe("Also return main.js (default false)") }),
  output: z.object({
    task: taskSummaryShape,
    metadata: z.record(z.string(), z.unknown()),
    input_schema: z.unknown().optional(),
    output_schema: z.unknown().optional(),
    tests: z.array(z.object({ file: z.string(), name: z.string() })),
    files: z.array(z.object({ path: z.string(), bytes: z.number(), uri: z.string() })),
    backups: z.array(backupShape).describe(`The newest ${MAX_BACKUPS_LISTED}, newest first`),
    backup_count: z.number(),
    code: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id_or_path, include_code }, { workspace }) {
    const task = await workspace.getTask(task_id_or_path);
    const backups = await workspace.listBackups(task_id_or_path);
    const doc = task.document;
    return {
      task: summaryOf(task),
      metadata: doc.metadata,
      input_schema: doc.input_schema,
      output_schema: doc.output_schema,
      tests: doc.tests.map((t) => ({ file: t.file, name: typeof t.case.name === "string" ? t.case.name : t.file })),
      files: Object.keys(task.files)
        .sort()
        .map((path) => ({ path, bytes: new TextEncoder().encode(task.files[path]!).byteLength, uri: `ratchet://tasks/${encodeURIComponent(task.name)}/${path}` })),
      backups: backups.slice(0, MAX_BACKUPS_LISTED).map(backupOf),
      backup_count: backups.length,
      ...(include_code ? { code: doc.code } : {}),
    };
  },
});

const listAvailableTasks = defineTool({
  name: "ratchet_list_available_tasks",
  title: "List tasks",
  description:
    "Lists the tasks in the workspace (name, label, description, version, tags, hash), filtered by text (`q`, matched against name, label and description) and by `tag`, a page at a time. " +
    "Use it to find a task to run or change; pass a task's `name` as task_id to the other tools. Returns `tasks` and `next_cursor` (null on the last page). " +
    'Example: {"q": "weather", "limit": 20}',
  toolset: "tasks",
  input: z.object({
    q: z.string().optional().describe("Text to look for"),
    tag: z.string().optional(),
    limit: z.number().int().min(1).max(100).optional().describe("Tasks per page, default 50"),
    cursor: z.string().optional().describe("next_cursor of the previous page"),
  }),
  output: z.object({ tasks: z.array(taskSummaryShape), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ q, tag, limit, cursor }, { workspace }) {
    const page = await workspace.listTasks({ q, tag, limit: limit ?? 50, cursor });
    return { tasks: page.items.map(summaryOf), next_cursor: page.next_cursor };
  },
});

const codeChange = z.object({
  section: z.string().optional().describe('The guide\'s "main_function": main.js is one function, so a change replaces the whole file or the old_code it names'),
  old_code: z.string().min(1).optional().describe("Exact text to replace; it must occur once in main.js"),
  new_code: z.string(),
  test_immediately: z.boolean().optional().describe("Run the tests after saving"),
});

/** main.js after the guide's code_changes: each replaces the exact old_code it names, or the whole file. */
function applyCodeChanges(code: string, changes: z.infer<typeof codeChange>[]): string {
  if (changes.length === 0) throw new WorkspaceError("bad_request", "code_changes is empty", { hint: "Give at least one {new_code}, or pass `code` with the whole new main.js." });
  return changes.reduce((current, change, i) => {
    if (change.old_code === undefined) {
      if (changes.length > 1) throw new WorkspaceError("bad_request", `code_changes[${i}] has no old_code, so it would replace the whole file while other changes edit it`, { hint: "Give old_code for each change, or send one change (or `code`) with the whole main.js." });
      return change.new_code;
    }
    const count = current.split(change.old_code).length - 1;
    if (count !== 1) {
      throw new WorkspaceError("bad_request", `code_changes[${i}].old_code occurs ${count} times in main.js; it must occur exactly once`, { hint: "Quote more surrounding lines so it is unique (ratchet_read_task_file with path main.js shows the current code)." });
    }
    return current.replace(change.old_code, () => change.new_code);
  }, code);
}

const updateTaskCode = defineTool({
  name: "ratchet_update_task_code",
  title: "Update a task's code",
  description:
    "Replaces a task's main.js with `code`, or edits it with the guide's `code_changes` (each replaces the exact `old_code` it quotes with `new_code`; one change without old_code replaces the whole file). " +
    "The new code is syntax-checked and the task validated before anything is written: code that does not parse is refused with its line and column and main.js stays as it was. The previous content is kept as a backup. " +
    "Use it to implement or fix a task; set run_tests_on_save to run its tests at once. Returns the task, warnings, the replaced content's hash (its backup) and, when asked, the test summary. " +
    'Example: {"task_id": "add-numbers", "code": "(function(input) { return { sum: input.a + input.b }; })", "run_tests_on_save": true}',
  toolset: "tasks",
  input: z.object({
    task_id: taskIdArg,
    code: z.string().optional().describe("The whole new main.js"),
    code_changes: z.array(codeChange).optional(),
    run_tests_on_save: z.boolean().optional(),
  }),
  output: savedShape.extend({ tests: suiteShape.optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async handler({ task_id, code, code_changes, run_tests_on_save }, context) {
    if ((code === undefined) === (code_changes === undefined)) {
      throw new WorkspaceError("bad_request", code === undefined ? "neither code nor code_changes was given" : "both code and code_changes were given", { hint: "Pass `code` (the whole main.js) or `code_changes`, exactly one of them." });
    }
    const saved = await editTask(context.workspace, task_id, "before ratchet_update_task_code", (files) => {
      files[TASK_FILES.code] = code ?? applyCodeChanges(files[TASK_FILES.code] ?? "", code_changes!);
      return files;
    });
    const test = run_tests_on_save || code_changes?.some((c) => c.test_immediately);
    return { ...saved, ...(test ? { tests: await runSuite(context, task_id) } : {}) };
  },
});

const updateTaskSchemas = defineTool({
  name: "ratchet_update_task_schemas",
  title: "Update a task's schemas",
  description:
    "Replaces a task's input.schema.json and/or output.schema.json. Both are checked against their JSON Schema meta-schema (with did-you-mean for misspelled types and keywords), and the tests' inputs and expected outputs against the new schemas, before anything is written; the previous content is kept as a backup. " +
    "Use it when the task's input or output changes shape. Returns the task, warnings (e.g. a test whose input no longer fits) and the replaced content's hash. " +
    'Example: {"task_id": "add-numbers", "input_schema": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg, input_schema: jsonSchemaArg.optional(), output_schema: jsonSchemaArg.optional() }),
  output: savedShape,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, input_schema, output_schema }, { workspace }) {
    if (input_schema === undefined && output_schema === undefined) {
      throw new WorkspaceError("bad_request", "neither input_schema nor output_schema was given", { hint: "Pass the new input_schema, output_schema, or both (whole JSON Schema documents)." });
    }
    return editTask(workspace, task_id, "before ratchet_update_task_schemas", (files) => {
      if (input_schema !== undefined) files[TASK_FILES.inputSchema] = jsonText(input_schema);
      if (output_schema !== undefined) files[TASK_FILES.outputSchema] = jsonText(output_schema);
      return files;
    });
  },
});

const metadataFields = {
  label: z.string().optional(),
  description: z.string().optional(),
  version: z.string().optional().describe("Semantic version, e.g. 1.1.0"),
  author: z.string().optional(),
  tags: z.array(z.string()).optional().describe("Replaces all tags"),
  timeout: z.number().int().optional().describe("Wall-clock limit in ms"),
  memory_limit: z.string().optional().describe('e.g. "128MB"'),
  retry_attempts: z.number().int().optional(),
  schedules: z.array(z.record(z.string(), z.unknown())).optional().describe("Schedules created when the task is deployed: [{cron, timezone?, input?, retry?}]"),
};

const updateTaskMetadata = defineTool({
  name: "ratchet_update_task_metadata",
  title: "Update a task's metadata",
  description:
    "Changes fields of a task's metadata.json (label, description, version, author, tags, add_tags, remove_tags, timeout, memory_limit, retry_attempts, schedules; remove_fields deletes optional ones); other fields and their order are kept, the uuid never changes. " +
    "The result is checked against the metadata schema and the host's limits before it is written; the previous content is kept as a backup. " +
    "Use it to bump the version, retag, or change limits. Returns the task, the fields changed, warnings and the replaced content's hash. " +
    'Example: {"task_id": "add-numbers", "version": "1.1.0", "add_tags": ["math"], "timeout": 5000}',
  toolset: "tasks",
  input: z.object({
    task_id: taskIdArg,
    ...metadataFields,
    add_tags: z.array(z.string()).optional(),
    remove_tags: z.array(z.string()).optional(),
    remove_fields: z.array(z.string()).optional().describe("Optional fields to delete, e.g. [\"timeout\"]"),
  }),
  output: savedShape.extend({ changes: z.record(z.string(), z.unknown()).describe("Fields written with their new values; a removed field is null") }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, add_tags, remove_tags, remove_fields, ...fields }, { workspace }) {
    const current = await workspace.getTask(task_id);
    const metadata = parseJsonObject(TASK_FILES.metadata, current.files[TASK_FILES.metadata]);
    const next: Record<string, unknown> = { ...metadata };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) next[key] = value;
    if (add_tags || remove_tags) {
      const tags = Array.isArray(next.tags) ? [...(next.tags as unknown[])] : [];
      for (const tag of add_tags ?? []) if (!tags.includes(tag)) tags.push(tag);
      next.tags = tags.filter((tag) => !(remove_tags ?? []).includes(tag as string));
    }
    for (const key of remove_fields ?? []) {
      if (["uuid", "version", "label"].includes(key)) throw new WorkspaceError("bad_request", `${key} is required and cannot be removed`, { hint: `Give a new ${key} instead.` });
      delete next[key];
    }
    const changes: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(metadata), ...Object.keys(next)])) {
      if (JSON.stringify(metadata[key]) !== JSON.stringify(next[key])) changes[key] = next[key] ?? null;
    }
    if (Object.keys(changes).length === 0) return { task: summaryOf(current), warnings: [], previous_hash: current.hash, changes };
    const saved = await editTask(workspace, task_id, "before ratchet_update_task_metadata", (files) => ({ ...files, [TASK_FILES.metadata]: jsonText(next) }));
    return { ...saved, changes };
  },
});

const cloneTask = defineTool({
  name: "ratchet_clone_task",
  title: "Clone a task",
  description:
    "Copies a task to a new task named `new_name`, with a new uuid and, unless keep_metadata, a label from the new name and version 1.0.0; clear_tests leaves its tests out. The copy is validated; an existing task is never overwritten. " +
    "Use it to start a variant of a working task. Returns the new task's summary and warnings. " +
    'Example: {"task_id": "weather-api", "new_name": "weather-api-v2", "clear_tests": false}',
  toolset: "tasks",
  input: z.object({
    task_id: taskIdArg,
    new_name: z.string().min(1),
    clear_tests: z.boolean().optional(),
    keep_metadata: z.boolean().optional().describe("Keep label and version (default: a label from new_name and 1.0.0)"),
  }),
  output: z.object({ task: taskSummaryShape, source: z.string(), warnings: z.array(problemShape) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ task_id, new_name, clear_tests, keep_metadata }, { workspace }) {
    const source = await workspace.getTask(task_id);
    const metadata = parseJsonObject(TASK_FILES.metadata, source.files[TASK_FILES.metadata]);
    const files: TaskFiles = { ...source.files, [TASK_FILES.metadata]: jsonText({ ...metadata, uuid: crypto.randomUUID(), ...(keep_metadata ? {} : { label: labelFromName(new_name), version: "1.0.0" }) }) };
    if (clear_tests) for (const file of testFiles(files)) delete files[file];
    const created = await workspace.createTask(new_name, files);
    return { task: summaryOf(created.task), source: source.name, warnings: created.warnings.map(problemOf) };
  },
});

/** The newest backup of a task, if the workspace kept one; a workspace that keeps none after deletion answers nothing. */
async function lastBackup(workspace: Workspace, name: string) {
  const backups = await workspace.listBackups(name).catch(() => []);
  return backups[0] && backupOf(backups[0]);
}

const deleteTask = defineTool({
  name: "ratchet_delete_task",
  title: "Delete a task",
  description:
    "Deletes a task and all its files. Where the workspace keeps a backup of what it deletes (task folders do), the answer names it, and ratchet_restore_task_backup with the task's name and that backup_id brings the task back; " +
    "elsewhere export it first (ratchet_export_task) if it may be needed again. Use it only when the user asked for the task to go. Returns the name deleted and the backup, if any. " +
    'Example: {"task_id": "old-experiment"}',
  toolset: "tasks",
  input: z.object({ task_id: taskIdArg }),
  output: z.object({ deleted: z.string(), backup: backupShape.optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id }, { workspace }) {
    const { name } = await workspace.getTask(task_id);
    await workspace.deleteTask(task_id);
    const backup = await lastBackup(workspace, name);
    return { deleted: name, ...(backup ? { backup } : {}) };
  },
});

export const taskTools: ToolDefinition[] = [
  createTask,
  getTaskInfo,
  listAvailableTasks,
  updateTaskCode,
  updateTaskSchemas,
  updateTaskMetadata,
  cloneTask,
  deleteTask,
  ...taskStorageTools,
] as ToolDefinition[];
