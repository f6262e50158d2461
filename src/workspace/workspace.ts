/**
 * The one set of operations on tasks, runs, history and schedules that the MCP tools (and the CLI's
 * operations) are written against. Two places implement it: a folder of tasks on this machine
 * (src/ops/workspace/, run by the local engine, with a local history under `<tasks>/.ratchet/`),
 * and the platform's deployed tasks in D1/R2 (src/platform/workspace/). Types and the one error
 * class only: this module is shared by layers that must not import each other.
 */
import type { BundleDocument, CheckResult, ExecutionLimits, HttpTraceEntry, LogEntry, Problem, TaskFiles, TestReport, Trigger } from "../engine/index.ts";

export type WorkspaceKind = "local" | "platform";

export type WorkspaceErrorCode =
  /** No task, execution, backup, version or schedule by that name or id. */
  | "not_found"
  /** A task by that name exists already. */
  | "exists"
  /** The files or document do not make a valid task; `problems` lists every one. */
  | "invalid"
  /** An argument is wrong in a way the agent can fix (a path outside the tasks folder, a bad cursor). */
  | "bad_request"
  /** The operation needs a Ratchet server (deploy, schedules) and none answered at the configured URL. */
  | "unreachable"
  /** The operation is not available in this kind of workspace; `hint` says where it is. */
  | "unsupported";

/** A refusal a caller can act on: what was wrong, and what to do next. */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
  readonly code: WorkspaceErrorCode;
  readonly hint?: string;
  readonly problems?: Problem[];
  constructor(code: WorkspaceErrorCode, message: string, options: { hint?: string; problems?: Problem[] } = {}) {
    super(message);
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems;
  }
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}

export interface TaskSummary {
  /** The folder name under the tasks folder (local) or the deployed name (platform). */
  name: string;
  label: string;
  description?: string;
  version: string;
  tags: string[];
  /** Content hash of the task's canonical bundle document. */
  hash: string;
  enabled: boolean;
  /** A folder path (local) or `deployed` (platform). */
  location: string;
}

/** A task's whole content at one point: its files as text and the bundle document they make. */
export interface TaskSnapshot extends TaskSummary {
  files: TaskFiles;
  document: BundleDocument & { hash: string };
}

export type SaveResult = { task: TaskSummary; warnings: Problem[] };

/** A kept earlier state of a task: a backup folder (local) or an earlier version (platform). */
export interface BackupInfo {
  id: string;
  version: string;
  hash: string;
  created_at: string;
  note?: string;
}

/** One execution as history keeps it; the same JSON shape as the API's GET /api/v1/executions/{id}. */
export interface ExecutionRecord {
  id: string;
  task: string;
  version: string;
  trigger: Trigger;
  status: "completed" | "failed";
  attempt: number;
  schedule_id: string | null;
  retry_of: string | null;
  error_type: string | null;
  started_at: string;
  duration_ms: number;
  /** Secrets redacted (see redactSecrets in the engine). */
  input: unknown;
  output: unknown;
  error: { type: string; message: string; stack?: string; details?: unknown } | null;
  logs: LogEntry[];
  http: HttpTraceEntry[];
  timings: { inputValidationMs: number; sandboxMs: number; outputValidationMs: number; cpuMs: number; [extra: string]: number };
  limits?: ExecutionLimits;
}

export type ExecutionSummary = Omit<ExecutionRecord, "input" | "output" | "error" | "logs" | "http" | "timings" | "limits">;

export interface ExecutionQuery {
  task?: string;
  status?: "completed" | "failed";
  trigger?: Trigger;
  limit?: number;
  cursor?: string;
}

export interface ExecuteOptions {
  trigger: Trigger;
  /** Run this version (platform) or backup (local) instead of the current content. */
  version?: string;
  /** Keep full request and response bodies of guest fetches (the trace has method, URL, status, timing and sizes regardless). */
  recordExchanges?: boolean;
  /** false: run without writing history (benchmarks, fuzzing). Default true. */
  record?: boolean;
}

export interface ScheduleRequest {
  task: string;
  cron: string;
  timezone?: string;
  input?: unknown;
  retry?: { max_attempts?: number; backoff_seconds?: number };
}

/** A schedule as the API's GET /api/v1/schedules/{id} answers it. */
export type ScheduleRecord = Record<string, unknown> & { id: string; task: string; cron: string };

export interface DeployResult {
  name: string;
  version: string;
  hash: string;
  /** created: a new version; unchanged: that content was current already; switched: an earlier version with that content is current again. */
  status: "created" | "unchanged" | "switched";
  /** Where it was deployed: the Ratchet URL (local) or `this platform`. */
  target: string;
}

export interface Workspace {
  readonly kind: WorkspaceKind;

  listTasks(query: { q?: string; tag?: string; limit?: number; cursor?: string }): Promise<Page<TaskSummary>>;
  /** A task's current content, or an earlier one (`version`: a platform version or a local backup id). */
  getTask(ref: string, at?: { version?: string }): Promise<TaskSnapshot>;
  /** A task's files as they are, valid or not (`version`: an earlier one): what an agent reads to repair a task broken by hand. */
  readFiles(ref: string, at?: { version?: string }): Promise<TaskFiles>;
  /** Validates files as a task without keeping anything. */
  check(files: TaskFiles): Promise<CheckResult>;
  /** Creates a task from files; refuses (`exists`, `invalid`) without writing anything. */
  createTask(name: string, files: TaskFiles): Promise<SaveResult>;
  /** Replaces a task's files after validating them; the previous content is kept as a backup (local) or stays a version (platform). Nothing is written when invalid. */
  saveTask(ref: string, files: TaskFiles, note: string): Promise<SaveResult>;
  deleteTask(ref: string): Promise<void>;
  listBackups(ref: string): Promise<BackupInfo[]>;
  backupTask(ref: string, note?: string): Promise<BackupInfo>;
  restoreBackup(ref: string, backupId: string): Promise<SaveResult>;
  /** Creates or replaces a task from a canonical bundle document (`export_task`'s output). */
  importTask(name: string, document: unknown): Promise<SaveResult>;

  /** Runs a task and records the execution (unless `record: false`); a failed run is a record with status failed, not an exception. */
  execute(ref: string, input: unknown, options: ExecuteOptions): Promise<ExecutionRecord>;
  /** Runs the task's tests/*.json, or only the test file named by `only` ("tests/a.json"). */
  runTests(ref: string, options?: { only?: string }): Promise<TestReport>;
  getExecution(id: string): Promise<ExecutionRecord>;
  listExecutions(query: ExecutionQuery): Promise<Page<ExecutionSummary>>;

  /** Local: pushes the folder to the Ratchet at the configured URL. Platform: the task is deployed already; answers its current version. */
  deploy(ref: string, options?: { name?: string }): Promise<DeployResult>;
  createSchedule(request: ScheduleRequest): Promise<ScheduleRecord>;
  listSchedules(task?: string): Promise<ScheduleRecord[]>;
  deleteSchedule(id: string): Promise<void>;
}
