import { readdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { redactSecrets, TRIGGERS, type ExecutionResult, type SecretValues, type TaskBundle } from "../../engine/index.ts";
import { WorkspaceError, type ExecutionQuery, type ExecutionRecord, type ExecutionSummary, type Page } from "../../workspace/workspace.ts";
import { executionRecord } from "../../workspace/execution-record.ts";
import { writeFileAtomic } from "./atomic.ts";
import { RATCHET_DIR } from "./task-paths.ts";

/** Executions a tasks folder's history keeps at most; past it, the oldest are removed (down to 95% of it) as new ones are written. */
export const HISTORY_LIMIT = 1000;
/** Page size of a listing without `limit`, and the most one page may hold (as the API's). */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** The engine's execution ids are UUIDv7: their text sorts by time. */
const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RECORD_FILE = /^([0-9a-f-]{36})\.json$/;

export function summaryOf(record: ExecutionRecord): ExecutionSummary {
  const { input: _input, output: _output, error: _error, logs: _logs, http: _http, timings: _timings, limits: _limits, ...summary } = record;
  return summary;
}

/**
 * The local execution history of one tasks folder: `<tasks>/.ratchet/history/<id>.json`, one
 * file per execution, each written whole (temporary file, then rename). The CLI's run-once and
 * the MCP stdio host write here; `ratchet executions` without --url reads it.
 */
export class HistoryStore {
  readonly dir: string;
  private readonly limit: number;
  /** Records in the folder as of this store's last look, plus those it wrote since (other processes may add more). */
  private count: number | undefined;
  /** Summaries already read, by id: a record never changes once written, and a long-lived server lists often. */
  private readonly summaries = new Map<string, ExecutionSummary>();

  constructor(tasksDir: string, limit = HISTORY_LIMIT) {
    this.limit = limit;
    this.dir = join(tasksDir, RATCHET_DIR, "history");
  }

  async record(record: ExecutionRecord): Promise<void> {
    if (!EXECUTION_ID.test(record.id)) throw new Error(`execution id ${record.id} is not a UUID`);
    await writeFileAtomic(join(this.dir, `${record.id}.json`), `${JSON.stringify(record)}\n`);
    if (this.count !== undefined) this.count += 1;
    if (this.count !== undefined && this.count <= this.limit) return;
    // Over the bound: trimmed a little below it, so a full history is not listed again on every write.
    const ids = await this.ids();
    const removed = ids.length > this.limit ? ids.slice(this.limit - Math.floor(this.limit / 20)) : [];
    await Promise.all(removed.map((id) => rm(join(this.dir, `${id}.json`), { force: true })));
    this.count = ids.length - removed.length;
  }

  async get(id: string): Promise<ExecutionRecord | undefined> {
    if (typeof id !== "string" || !EXECUTION_ID.test(id)) return undefined;
    const text = await readFile(join(this.dir, `${id}.json`), "utf8").catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ExecutionRecord);
  }

  /** Newest first; `cursor` is the id the previous page ended at. */
  async list(query: ExecutionQuery = {}): Promise<Page<ExecutionSummary>> {
    const limit = query.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new WorkspaceError("bad_request", `limit must be an integer from 1 to ${MAX_PAGE}, not ${limit}`);
    if (query.cursor !== undefined && !EXECUTION_ID.test(query.cursor)) {
      throw new WorkspaceError("bad_request", `cursor ${JSON.stringify(query.cursor)} is not one a listing gave out`, { hint: "Pass next_cursor from the previous page, or no cursor for the first page." });
    }
    if (query.status !== undefined && query.status !== "completed" && query.status !== "failed") throw new WorkspaceError("bad_request", `status must be completed or failed, not ${query.status}`);
    if (query.trigger !== undefined && !TRIGGERS.includes(query.trigger)) throw new WorkspaceError("bad_request", `trigger must be one of ${TRIGGERS.join(", ")}, not ${query.trigger}`);
    const items: ExecutionSummary[] = [];
    let more = false;
    const ids = await this.ids();
    for (const id of ids) {
      if (query.cursor !== undefined && id >= query.cursor) continue;
      const summary = await this.summary(id);
      if (!summary || (query.task !== undefined && summary.task !== query.task) || (query.status !== undefined && summary.status !== query.status) || (query.trigger !== undefined && summary.trigger !== query.trigger)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(summary);
    }
    // Forget what the history no longer holds.
    if (this.summaries.size > ids.length) {
      const kept = new Set(ids);
      for (const id of this.summaries.keys()) if (!kept.has(id)) this.summaries.delete(id);
    }
    return { items, next_cursor: more ? items.at(-1)!.id : null };
  }

  private async summary(id: string): Promise<ExecutionSummary | undefined> {
    let summary = this.summaries.get(id);
    if (!summary) {
      const record = await this.get(id);
      if (!record) return undefined;
      summary = summaryOf(record);
      this.summaries.set(id, summary);
    }
    return summary;
  }

  /** Ids of the kept executions, newest first. */
  private async ids(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .map((name) => RECORD_FILE.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .sort()
      .reverse();
  }
}

/** Records a run of the task folder `taskDir` in the history of the folder holding it (its tasks folder), its input's secrets redacted. */
export async function recordFolderRun(taskDir: string, bundle: TaskBundle, input: unknown, result: ExecutionResult, secrets?: SecretValues): Promise<void> {
  const dir = resolve(taskDir);
  await new HistoryStore(dirname(dir)).record(executionRecord(basename(dir), redactSecrets(input, bundle.input_schema, secrets), result));
}
