import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { v7 as uuidv7 } from "uuid";
import { filesFromDocument, isTaskName, redactSecrets, TASK_FILES, TASK_NAME_RULE, type CheckResult, type Engine, type Problem, type SecretValues, type TaskBundle, type TaskFiles, type TestReport } from "../../engine/index.ts";
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
import type { CliConfig } from "../config.ts";
import { runBundle } from "../run.ts";
import { readLocalSecrets, SECRETS_FILE, SecretsFileError } from "../secrets-file.ts";
import { readTaskFolder } from "../task-folder.ts";
import { testBundle } from "../test.ts";
import { checkFilePaths, writeTaskFolder } from "./atomic.ts";
import { BackupStore } from "./backups.ts";
import { executionRecord } from "../../workspace/execution-record.ts";
import { HistoryStore, HISTORY_LIMIT } from "./history.ts";
import { RemoteRatchet } from "./remote.ts";
import { TaskPaths, type TaskLocation } from "./task-paths.ts";

export interface LocalWorkspaceOptions {
  /** The folder whose sub-folders (holding metadata.json) are the tasks. */
  tasksDir: string;
  engine: Engine;
  config: CliConfig;
  /** The Ratchet that deploy and schedules talk to (default RATCHET_URL, else http://127.0.0.1:8787). */
  url?: string;
  /** Its API token (default RATCHET_API_TOKEN). */
  token?: string;
  /** Executions the history keeps (default HISTORY_LIMIT). */
  historyLimit?: number;
}

const TASK_LIST_PAGE = 50;
const CHECK_CACHE = 32;
const TASK_LIST_MAX = 200;

/** The value as JSON would carry it (undefined properties dropped), as the validator expects. */
function asJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? "null");
  } catch (error) {
    throw new WorkspaceError("bad_request", `The document is not JSON: ${(error as Error).message}`, { hint: "Pass the bundle document export_task gave, as JSON." });
  }
}

const errorCount = (problems: Problem[]) => problems.filter((p) => p.severity === "error").length;

/** The Workspace of a tasks folder on this machine: task folders, the local engine, history and backups under `<tasks>/.ratchet/`. */
export class LocalWorkspace implements Workspace {
  readonly kind = "local" as const;
  readonly paths: TaskPaths;
  readonly history: HistoryStore;
  private readonly backups: BackupStore;
  private readonly engine: Engine;
  private readonly config: CliConfig;
  private readonly remoteOptions: { url?: string; token?: string };
  private remoteRatchet: RemoteRatchet | undefined;
  private readonly checks = new Map<string, Promise<CheckResult>>();

  constructor(options: LocalWorkspaceOptions) {
    this.paths = new TaskPaths(options.tasksDir);
    this.engine = options.engine;
    this.config = options.config;
    this.remoteOptions = { url: options.url, token: options.token };
    this.history = new HistoryStore(this.paths.tasksDir, options.historyLimit ?? HISTORY_LIMIT);
    this.backups = new BackupStore(join(this.paths.ratchetDir, "backups"), this.scratch);
  }

  get tasksDir(): string {
    return this.paths.tasksDir;
  }

  /** The Ratchet deploy and schedules go to. */
  get url(): string {
    return this.remote().url;
  }

  async listTasks(query: { q?: string; tag?: string; limit?: number; cursor?: string } = {}): Promise<Page<TaskSummary>> {
    const limit = query.limit ?? TASK_LIST_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > TASK_LIST_MAX) throw new WorkspaceError("bad_request", `limit must be an integer from 1 to ${TASK_LIST_MAX}, not ${limit}`);
    if (query.cursor !== undefined && !isTaskName(query.cursor)) throw new WorkspaceError("bad_request", `cursor ${JSON.stringify(query.cursor)} is not one a listing gave out`, { hint: "Pass next_cursor from the previous page." });
    const entries = await readdir(this.tasksDir, { withFileTypes: true }).catch(() => []);
    const names = entries.filter((e) => e.isDirectory() && isTaskName(e.name) && (query.cursor === undefined || e.name > query.cursor)).map((e) => e.name).sort();
    const needle = query.q?.toLowerCase();
    const page: TaskSummary[] = [];
    let more = false;
    for (const name of names) {
      // Filtered on metadata.json alone; only the page's tasks are loaded whole.
      const metadata = await readFile(join(this.tasksDir, name, TASK_FILES.metadata), "utf8").then((text) => JSON.parse(text) as Record<string, unknown>, () => undefined);
      if (!metadata || typeof metadata !== "object") continue;
      const text = [name, metadata.label, metadata.description].filter((v) => typeof v === "string").join("\n").toLowerCase();
      if (needle !== undefined && !text.includes(needle)) continue;
      if (query.tag !== undefined && !(Array.isArray(metadata.tags) && metadata.tags.includes(query.tag))) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      const location = { name, dir: join(this.tasksDir, name) };
      const checked = await this.loadFiles(await readTaskFolder(location.dir));
      page.push(checked.ok ? this.summary(location, checked.bundle) : this.invalidSummary(location, metadata, checked.problems));
    }
    return { items: page, next_cursor: more ? page.at(-1)!.name : null };
  }

  async getTask(ref: string, at: { version?: string } = {}): Promise<TaskSnapshot> {
    const { location, files, bundle } = await this.loaded(ref, at.version);
    // A copy: the bundle itself is shared by later runs (the engine caches by it).
    return { ...this.summary(location, bundle), files, document: structuredClone(bundle) };
  }

  async readFiles(ref: string, at: { version?: string } = {}): Promise<TaskFiles> {
    if (at.version === undefined) return readTaskFolder((await this.paths.resolve(ref)).dir);
    return (await this.backups.read((await this.named(ref)).name, at.version)).files;
  }

  async check(files: TaskFiles): Promise<CheckResult> {
    checkFilePaths(files);
    return structuredClone(await this.loadFiles(files));
  }

  async createTask(name: string, files: TaskFiles): Promise<SaveResult> {
    const location = this.paths.forName(name);
    checkFilePaths(files);
    if (await this.paths.exists(location)) throw this.existsError(location);
    const checked = await this.validated(files, `The files for ${name}`);
    await writeTaskFolder(this.scratch, location.dir, files);
    return { task: this.summary(location, checked.bundle), warnings: checked.warnings };
  }

  async saveTask(ref: string, files: TaskFiles, note: string): Promise<SaveResult> {
    const location = await this.paths.resolve(ref);
    checkFilePaths(files);
    const checked = await this.validated(files, `The new files for ${location.name}`);
    const current = await readTaskFolder(location.dir);
    await this.keep(location, current, note);
    await writeTaskFolder(this.scratch, location.dir, files, { current });
    return { task: this.summary(location, checked.bundle), warnings: checked.warnings };
  }

  async deleteTask(ref: string): Promise<void> {
    const location = await this.paths.resolve(ref);
    // Kept, so a deletion can be undone with restoreBackup.
    await this.keep(location, await readTaskFolder(location.dir), "before delete");
    await mkdir(this.scratch, { recursive: true });
    const gone = join(this.scratch, `deleted-${uuidv7()}`);
    await rename(location.dir, gone);
    await rm(gone, { recursive: true, force: true });
  }

  async listBackups(ref: string): Promise<BackupInfo[]> {
    return this.backups.list((await this.named(ref)).name);
  }

  async backupTask(ref: string, note?: string): Promise<BackupInfo> {
    const location = await this.paths.resolve(ref);
    return this.keep(location, await readTaskFolder(location.dir), note);
  }

  async restoreBackup(ref: string, backupId: string): Promise<SaveResult> {
    const location = await this.named(ref);
    const { files } = await this.backups.read(location.name, backupId);
    await this.validated(files, `The files of backup ${backupId} of ${location.name}`);
    if (await this.paths.exists(location)) return this.saveTask(location.name, files, `before restoring backup ${backupId}`);
    return this.createTask(location.name, files);
  }

  async importTask(name: string, document: unknown): Promise<SaveResult> {
    const location = this.paths.forName(name);
    const checked = await this.engine.loadDocument(asJson(document));
    if (!checked.ok) throw this.invalidError(`The document for ${name}`, checked.problems);
    const files = filesFromDocument(checked.bundle);
    if (await this.paths.exists(location)) return this.saveTask(name, files, "before import");
    return this.createTask(name, files);
  }

  async execute(ref: string, input: unknown, options: ExecuteOptions): Promise<ExecutionRecord> {
    const { location, bundle } = await this.loaded(ref, options.version);
    const secrets = await this.secrets(location);
    const result = await runBundle(this.context, bundle, input, { trigger: options.trigger, recordExchanges: options.recordExchanges, secrets });
    // As the Worker does: the task got its secrets whole, the record keeps them redacted.
    const record = executionRecord(location.name, redactSecrets(input, bundle.input_schema, secrets), result);
    if (options.record !== false) await this.history.record(record);
    return record;
  }

  async runTests(ref: string, options: { only?: string } = {}): Promise<TestReport> {
    const { location, bundle } = await this.loaded(ref);
    if (options.only !== undefined && !bundle.tests.some((test) => test.file === options.only)) {
      const files = bundle.tests.map((test) => test.file);
      throw new WorkspaceError("not_found", `Task ${location.name} has no test file ${options.only}`, { hint: files.length > 0 ? `Its test files: ${files.join(", ")}.` : "It has no tests yet; add one under tests/." });
    }
    return testBundle(this.context, bundle, options.only, await this.secrets(location));
  }

  async getExecution(id: string): Promise<ExecutionRecord> {
    const record = await this.history.get(id);
    if (!record) throw new WorkspaceError("not_found", `No execution ${id} in the history of ${this.tasksDir}`, { hint: "List executions to see their ids; the history keeps the newest ones." });
    return record;
  }

  listExecutions(query: ExecutionQuery = {}): Promise<Page<ExecutionSummary>> {
    return this.history.list(query);
  }

  async deploy(ref: string, options: { name?: string } = {}): Promise<DeployResult> {
    const { location, bundle } = await this.loaded(ref);
    const name = options.name ?? location.name;
    if (!isTaskName(name)) throw new WorkspaceError("bad_request", `"${name}" is not a valid task name: ${TASK_NAME_RULE}`);
    return this.remote().deploy(name, bundle);
  }

  createSchedule(request: ScheduleRequest): Promise<ScheduleRecord> {
    return this.remote().createSchedule(request);
  }

  listSchedules(task?: string): Promise<ScheduleRecord[]> {
    return this.remote().listSchedules(task);
  }

  deleteSchedule(id: string): Promise<void> {
    return this.remote().deleteSchedule(id);
  }

  /**
   * The engine's verdict on a set of files, remembered for the last CHECK_CACHE sets: checking
   * runs main.js in a sandbox and compiles both schemas (~5 ms), which every run of an unchanged
   * task would otherwise pay again. The verdict depends on the files' text alone.
   */
  private loadFiles(files: TaskFiles): Promise<CheckResult> {
    const key = JSON.stringify(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
    let checked = this.checks.get(key);
    if (checked) {
      this.checks.delete(key);
    } else {
      checked = this.engine.loadFiles(files);
      checked.catch(() => this.checks.delete(key));
    }
    this.checks.set(key, checked);
    if (this.checks.size > CHECK_CACHE) this.checks.delete(this.checks.keys().next().value!);
    return checked;
  }

  /** The task folder's `.secrets`, as `ratchet run-once` reads them; a bad line is the agent's to fix. */
  private async secrets(location: TaskLocation): Promise<SecretValues | undefined> {
    try {
      return await readLocalSecrets(location.dir);
    } catch (error) {
      if (!(error instanceof SecretsFileError)) throw error;
      throw new WorkspaceError("invalid", error.message, { hint: `Fix ${SECRETS_FILE} in the task folder: one NAME=VALUE per line.` });
    }
  }

  private get context() {
    return { engine: this.engine, config: this.config };
  }

  /** Where whole folders are built before they are renamed into place (same file system as the tasks). */
  private get scratch(): string {
    return join(this.paths.ratchetDir, "tmp");
  }

  /** Made on first use, so a wrong --url only matters to deploy and schedules. */
  private remote(): RemoteRatchet {
    this.remoteRatchet ??= new RemoteRatchet(this.remoteOptions.url, this.remoteOptions.token);
    return this.remoteRatchet;
  }

  /** An existing task, or (for backups, which outlive their task) the place a task of that name would be. */
  private async named(ref: string): Promise<TaskLocation> {
    try {
      return await this.paths.resolve(ref);
    } catch (error) {
      if (error instanceof WorkspaceError && error.code === "not_found" && isTaskName(ref)) return this.paths.forName(ref);
      throw error;
    }
  }

  /** A task's files and their validated bundle, now or as a backup kept them; `invalid` with every problem when they do not validate. */
  private async loaded(ref: string, version?: string): Promise<{ location: TaskLocation; files: TaskFiles; bundle: TaskBundle }> {
    const location = version === undefined ? await this.paths.resolve(ref) : await this.named(ref);
    const files = version === undefined ? await readTaskFolder(location.dir) : (await this.backups.read(location.name, version)).files;
    const bundle = await this.load(files, version === undefined ? `Task ${location.name}` : `Backup ${version} of ${location.name}`);
    return { location, files, bundle };
  }

  private async validated(files: TaskFiles, what: string): Promise<{ bundle: TaskBundle; warnings: Problem[] }> {
    const checked = await this.loadFiles(files);
    if (!checked.ok) throw this.invalidError(what, checked.problems);
    return checked;
  }

  private async load(files: TaskFiles, what: string): Promise<TaskBundle> {
    return (await this.validated(files, what)).bundle;
  }

  /** Backs up a task's files as they are, valid or not (a broken task is what one most wants to keep). */
  private async keep(location: TaskLocation, files: TaskFiles, note?: string): Promise<BackupInfo> {
    const checked = await this.loadFiles(files);
    const version = checked.ok ? checked.bundle.metadata.version : "";
    return this.backups.create(location.name, files, { version, hash: checked.ok ? checked.bundle.hash : "", note });
  }

  private summary(location: TaskLocation, bundle: TaskBundle): TaskSummary {
    const { metadata } = bundle;
    return {
      name: location.name,
      label: metadata.label,
      ...(metadata.description === undefined ? {} : { description: metadata.description }),
      version: metadata.version,
      tags: metadata.tags ?? [],
      hash: bundle.hash,
      enabled: true,
      location: location.dir,
    };
  }

  /** A task folder that does not validate is still listed, so it can be found and fixed: its hash is empty and its description says what is wrong. */
  private invalidSummary(location: TaskLocation, metadata: Record<string, unknown>, problems: Problem[]): TaskSummary {
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
      name: location.name,
      label: text(metadata.label) || location.name,
      description: `Not a valid task: ${errorCount(problems)} error(s); validate it to see them`,
      version: text(metadata.version),
      tags: Array.isArray(metadata.tags) ? metadata.tags.filter((tag): tag is string => typeof tag === "string") : [],
      hash: "",
      enabled: false,
      location: location.dir,
    };
  }

  /** `what` names what was judged, e.g. "The new files for weather" (a write, refused) or "Task weather" (a read). */
  private invalidError(what: string, problems: Problem[]): WorkspaceError {
    const count = errorCount(problems);
    const refused = what.startsWith("The ") ? "; nothing was written" : "";
    return new WorkspaceError("invalid", `${what}: not a valid task, ${count} error${count === 1 ? "" : "s"}${refused}`, {
      problems,
      hint: "Fix every problem listed (file, line and message) and try again.",
    });
  }

  private existsError(location: TaskLocation): WorkspaceError {
    return new WorkspaceError("exists", `A task named ${location.name} exists already in ${this.tasksDir}`, { hint: "Choose another name, or save over it to change it." });
  }
}
