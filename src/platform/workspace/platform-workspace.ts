import type { ExecutionContext } from "@cloudflare/workers-types";
import { filesFromDocument, isTaskName, TASK_NAME_RULE, type CheckResult, type Problem, type TaskFiles, type TestReport } from "../../engine/index.ts";
import { getExecution, listExecutions } from "../../store/executions.ts";
import { deleteSchedule, getSchedule, listSchedules } from "../../store/schedules.ts";
import { findTask, findVersion, listTasks, listVersions, openDb } from "../../store/tasks.ts";
import {
  WorkspaceError,
  type BackupInfo,
  type DeployResult,
  type ExecuteOptions,
  type ExecutionQuery,
  type ExecutionRecord,
  type ExecutionSummary,
  type Page,
  type SaveResult,
  type ScheduleRecord,
  type ScheduleRequest,
  type TaskSnapshot,
  type TaskSummary,
  type Workspace,
} from "../../workspace/workspace.ts";
import type { Env } from "../env.ts";
import { invokeTask, runTask } from "../execute-and-record.ts";
import { engineFor, loadBundle } from "../sandbox.ts";
import { createScheduleFromRequest } from "../schedules.ts";
import { deployTask, removeTask, requireTask, rollbackTask, testTask, type Deployed } from "../task-ops.ts";
import { scheduleView } from "../views.ts";
import { mapped } from "./errors.ts";
import { executionRecord } from "../../workspace/execution-record.ts";
import { executionSummary, recordOfRow, taskSummary, versionBackup } from "./shapes.ts";

const PAGE = 50;
const MAX_PAGE = 200;
/** What deploy answers as its target: the task is on the platform serving this /mcp. */
export const THIS_PLATFORM = "this platform";
/** Execution ids are UUIDv7: a cursor is the last id of the previous page. */
const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function pageSize(limit: number | undefined): number {
  const size = limit ?? PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new WorkspaceError("bad_request", `limit must be an integer from 1 to ${MAX_PAGE}, not ${size}`);
  return size;
}

function taskNamed(ref: string): string {
  if (!isTaskName(ref)) {
    throw new WorkspaceError("bad_request", `"${ref}" is not a deployed task's name: ${TASK_NAME_RULE}`, { hint: "On the Worker a task is named by its deployed name (ratchet_list_available_tasks lists them), not by a folder path." });
  }
  return ref;
}

const errorCount = (problems: Problem[]) => problems.filter((p) => p.severity === "error").length;

function invalid(what: string, problems: Problem[]): WorkspaceError {
  const count = errorCount(problems);
  return new WorkspaceError("invalid", `${what}: not a valid task, ${count} error${count === 1 ? "" : "s"}; nothing was deployed`, { problems, hint: "Fix every problem listed (file, line and message) and try again." });
}

/** The value as JSON carries it (undefined properties dropped), as the request validators expect. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/**
 * The Workspace of the platform's deployed tasks (D1 and R2), used by the Worker's /mcp. Every
 * change is a deploy through the same operations as the HTTP API (src/platform/task-ops.ts), every
 * run goes through execute-and-record (trigger "mcp"), and history is the D1 execution history.
 *
 * Versions are the backups: each deploy keeps the one before, so listBackups lists versions,
 * backupTask names the current one, and restoreBackup rolls back. Saving new content under the
 * version string in its metadata, when that version is deployed already with other content,
 * deploys it as that version's development version (`1.0.0+dev.<hash>`, as `ratchet serve` does
 * for edited folders): versions stay immutable and no edit is refused for want of a bump.
 */
export class PlatformWorkspace implements Workspace {
  readonly kind = "platform" as const;

  private readonly env: Env;
  private readonly ctx: Pick<ExecutionContext, "waitUntil">;

  constructor(env: Env, ctx: Pick<ExecutionContext, "waitUntil">) {
    this.env = env;
    this.ctx = ctx;
  }

  private get db() {
    return openDb(this.env.DB);
  }

  async listTasks(query: { q?: string; tag?: string; limit?: number; cursor?: string } = {}): Promise<Page<TaskSummary>> {
    const limit = pageSize(query.limit);
    if (query.cursor !== undefined && !isTaskName(query.cursor)) throw new WorkspaceError("bad_request", `cursor ${JSON.stringify(query.cursor)} is not one a listing gave out`, { hint: "Pass next_cursor from the previous page." });
    const rows = await listTasks(this.db, { q: query.q, tag: query.tag, limit: limit + 1, after: query.cursor });
    const page = rows.slice(0, limit);
    return { items: page.map((row) => taskSummary(row.task, row.version)), next_cursor: rows.length > limit ? page.at(-1)!.task.name : null };
  }

  async getTask(ref: string, at: { version?: string } = {}): Promise<TaskSnapshot> {
    const name = taskNamed(ref);
    const { task, version: current } = await mapped(() => requireTask(this.env, name));
    const version = at.version === undefined ? current : await findVersion(this.db, name, at.version);
    if (!version) {
      throw new WorkspaceError("not_found", `Task ${name} has no version ${at.version}`, { hint: "Its versions are its backups: ratchet_get_task_info lists them." });
    }
    const bundle = await loadBundle(this.env.BUNDLES, version.hash, version.r2Key);
    // A copy: the cached bundle itself is shared by later runs.
    const document = structuredClone(bundle);
    return { ...taskSummary(task, version), files: filesFromDocument(document), document };
  }

  /** A deployed version is valid by construction: its files are those of its bundle. */
  async readFiles(ref: string, at: { version?: string } = {}): Promise<TaskFiles> {
    return (await this.getTask(ref, at)).files;
  }

  async check(files: TaskFiles): Promise<CheckResult> {
    return engineFor(this.env).loadFiles(files);
  }

  async createTask(name: string, files: TaskFiles): Promise<SaveResult> {
    taskNamed(name);
    if (await findTask(this.db, name)) throw new WorkspaceError("exists", `A task named ${name} is deployed already`, { hint: "Choose another name, or save over it to change it." });
    return this.deployFiles(name, files, `The files for ${name}`);
  }

  async saveTask(ref: string, files: TaskFiles, _note: string): Promise<SaveResult> {
    const name = taskNamed(ref);
    await mapped(() => requireTask(this.env, name));
    // The note has no place to go: the version the save replaces stays, as every version does.
    return this.deployFiles(name, files, `The new files for ${name}`);
  }

  async deleteTask(ref: string): Promise<void> {
    const name = taskNamed(ref);
    await mapped(() => removeTask(this.env, name));
  }

  async listBackups(ref: string): Promise<BackupInfo[]> {
    const name = taskNamed(ref);
    const { task } = await mapped(() => requireTask(this.env, name));
    const versions = await listVersions(this.db, name);
    return versions.map((version) => versionBackup(version, version.id === task.currentVersionId));
  }

  async backupTask(ref: string, _note?: string): Promise<BackupInfo> {
    const name = taskNamed(ref);
    // Every version is kept already: the current one is the backup.
    const { version } = await mapped(() => requireTask(this.env, name));
    return versionBackup(version, true);
  }

  async restoreBackup(ref: string, backupId: string): Promise<SaveResult> {
    const name = taskNamed(ref);
    const { task, version } = await mapped(() => rollbackTask(this.env, name, backupId));
    return { task: taskSummary(task, version), warnings: [] };
  }

  async importTask(name: string, document: unknown): Promise<SaveResult> {
    taskNamed(name);
    const deployed = await mapped(() => deployTask(this.env, name, asJson(document), { devVersionOnConflict: true }));
    return this.saved(deployed);
  }

  async execute(ref: string, input: unknown, options: ExecuteOptions): Promise<ExecutionRecord> {
    const name = taskNamed(ref);
    // Request and response bodies (recordExchanges) are not kept by the platform's history: the trace has method, URL, status, timing and sizes.
    const invokeOptions = { trigger: options.trigger, version: options.version };
    if (options.record === false) {
      const { result, recordedInput } = await mapped(() => runTask(this.env, name, input, invokeOptions));
      return executionRecord(name, recordedInput, result);
    }
    const { result, recordedInput, answerable } = await mapped(() => invokeTask(this.env, this.ctx, name, input, invokeOptions));
    // The id handed out must be readable by the next call, as the HTTP API ensures (Invocation.answerable).
    await mapped(() => answerable);
    return executionRecord(name, recordedInput, result);
  }

  async runTests(ref: string, options: { only?: string } = {}): Promise<TestReport> {
    const name = taskNamed(ref);
    return (await mapped(() => testTask(this.env, name, options))).report;
  }

  async getExecution(id: string): Promise<ExecutionRecord> {
    const row = await getExecution(this.db, this.env.BUNDLES, id);
    if (!row) throw new WorkspaceError("not_found", `No execution ${id} on this platform`, { hint: "List executions (ratchet_list_executions) to see their ids." });
    return recordOfRow(row);
  }

  async listExecutions(query: ExecutionQuery = {}): Promise<Page<ExecutionSummary>> {
    const limit = pageSize(query.limit);
    if (query.cursor !== undefined && !EXECUTION_ID.test(query.cursor)) throw new WorkspaceError("bad_request", `cursor ${JSON.stringify(query.cursor)} is not one a listing gave out`, { hint: "Pass next_cursor from the previous page." });
    const rows = await listExecutions(this.db, { task: query.task, status: query.status, trigger: query.trigger, limit: limit + 1, before: query.cursor });
    const page = rows.slice(0, limit);
    return { items: page.map(executionSummary), next_cursor: rows.length > limit ? page.at(-1)!.id : null };
  }

  /** The task is deployed already: its current version, unchanged. With another `name`, its current content is deployed under that name too. */
  async deploy(ref: string, options: { name?: string } = {}): Promise<DeployResult> {
    const name = taskNamed(ref);
    const { version } = await mapped(() => requireTask(this.env, name));
    if (options.name === undefined || options.name === name) return { name, version: version.version, hash: version.hash, status: "unchanged", target: THIS_PLATFORM };
    const target = taskNamed(options.name);
    const bundle = await loadBundle(this.env.BUNDLES, version.hash, version.r2Key);
    const deployed = await mapped(() => deployTask(this.env, target, bundle));
    return { name: target, version: deployed.version.version, hash: deployed.version.hash, status: deployed.outcome, target: THIS_PLATFORM };
  }

  async createSchedule(request: ScheduleRequest): Promise<ScheduleRecord> {
    const row = await mapped(() => createScheduleFromRequest(this.env, asJson(request)));
    return scheduleView(row, 5);
  }

  async listSchedules(task?: string): Promise<ScheduleRecord[]> {
    return (await listSchedules(this.db, task)).map((row) => scheduleView(row));
  }

  async deleteSchedule(id: string): Promise<void> {
    const row = await getSchedule(this.db, id);
    if (!row) throw new WorkspaceError("not_found", `No schedule ${id}`, { hint: "List schedules (ratchet_list_schedules) to see their ids." });
    await deleteSchedule(this.db, row.id);
  }

  /** Validates files (every problem, by file and line) and deploys them as the task's new current version. */
  private async deployFiles(name: string, files: TaskFiles, what: string): Promise<SaveResult> {
    const checked = await this.check(files);
    if (!checked.ok) throw invalid(what, checked.problems);
    const deployed = await mapped(() => deployTask(this.env, name, checked.bundle, { devVersionOnConflict: true }));
    return this.saved({ ...deployed, warnings: checked.warnings });
  }

  private saved(deployed: Deployed): SaveResult {
    return { task: taskSummary(deployed.task, deployed.version), warnings: deployed.warnings };
  }
}
