import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The storage schema: the one source of truth. Migrations in migrations/ are generated from
 * this file by drizzle-kit (`npm run db:generate`) and applied by wrangler.
 * Times are ISO-8601 UTC strings, which sort as text.
 */

/** A deployed task: its name and which version serves it. */
export const tasks = sqliteTable("tasks", {
  name: text("name").primaryKey(),
  currentVersionId: text("current_version_id").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** An immutable deployed version. The bundle itself lives in R2 under `r2Key`, addressed by its hash. */
export const taskVersions = sqliteTable(
  "task_versions",
  {
    id: text("id").primaryKey(),
    taskName: text("task_name").notNull(),
    version: text("version").notNull(),
    hash: text("hash").notNull(),
    r2Key: text("r2_key").notNull(),
    label: text("label").notNull(),
    description: text("description"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    inputSchema: text("input_schema", { mode: "json" }).notNull(),
    outputSchema: text("output_schema", { mode: "json" }).notNull(),
    testCount: integer("test_count").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("task_versions_task_version").on(t.taskName, t.version),
    index("task_versions_task_created").on(t.taskName, t.createdAt),
    index("task_versions_hash").on(t.hash),
  ],
);

/** One execution, whatever its outcome. Large parts live in R2 under `payloadKey`, never cut silently. */
export const executions = sqliteTable(
  "executions",
  {
    id: text("id").primaryKey(),
    taskName: text("task_name").notNull(),
    taskVersion: text("task_version").notNull(),
    versionId: text("version_id").notNull(),
    trigger: text("trigger").notNull(),
    status: text("status").notNull(),
    attempt: integer("attempt").notNull().default(1),
    scheduleId: text("schedule_id"),
    /** For a retry: the first attempt's execution id. */
    retryOf: text("retry_of"),
    errorType: text("error_type"),
    input: text("input", { mode: "json" }),
    output: text("output", { mode: "json" }),
    error: text("error", { mode: "json" }),
    logs: text("logs", { mode: "json" }),
    http: text("http", { mode: "json" }),
    timings: text("timings", { mode: "json" }),
    /** When the record was too large for a row: the R2 key holding input, output, error, logs and http. */
    payloadKey: text("payload_key"),
    startedAt: text("started_at").notNull(),
    durationMs: real("duration_ms").notNull(),
  },
  // D1 bills each index an insert touches as one more row written. Ids are UUIDv7, in the order
  // of started_at, so the primary key serves the newest-first list and its time filters; status
  // and trigger filters walk it (two and four values). Only the task filter has an index. The
  // table is WITHOUT ROWID (migrations/0006_executions_without_rowid.sql; Drizzle has no such
  // option), so the row lives in the primary key's b-tree: one row written, not two.
  (t) => [index("executions_task").on(t.taskName, t.id)],
);

/** A cron schedule: run `taskName` with `input` at every slot of `cron` in `timezone`. */
export const schedules = sqliteTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    taskName: text("task_name").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    input: text("input", { mode: "json" }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Why the platform paused it (task deleted or disabled); null when the user disabled it or it runs. */
    pausedReason: text("paused_reason"),
    /** Attempts per slot, the first included. */
    maxAttempts: integer("max_attempts").notNull(),
    /** Delay before attempt n+1 is backoffSeconds * 2^(n-1). */
    backoffSeconds: integer("backoff_seconds").notNull(),
    /** After downtime: "skip" missed slots, or run "once" for all of them. */
    catchUp: text("catch_up").notNull(),
    /** The next slot to run; claimed by compare-and-set so a slot runs once. */
    nextRunAt: text("next_run_at").notNull(),
    lastRunAt: text("last_run_at"),
    lastStatus: text("last_status"),
    lastExecutionId: text("last_execution_id"),
    runCount: integer("run_count").notNull().default(0),
    failureCount: integer("failure_count").notNull().default(0),
    /** "api", or "metadata" when declared in the task's metadata.json (then `sourceKey` is its index there). */
    source: text("source").notNull(),
    sourceKey: text("source_key"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("schedules_due").on(t.enabled, t.nextRunAt),
    index("schedules_task").on(t.taskName),
    uniqueIndex("schedules_source").on(t.taskName, t.source, t.sourceKey),
  ],
);

/** One slot of a schedule and its attempts. The unique (schedule, slot) pair makes a slot run once. */
export const scheduleRuns = sqliteTable(
  "schedule_runs",
  {
    id: text("id").primaryKey(),
    scheduleId: text("schedule_id").notNull(),
    slot: text("slot").notNull(),
    attempt: integer("attempt").notNull(),
    /** running, retry_wait, completed, failed */
    status: text("status").notNull(),
    nextAttemptAt: text("next_attempt_at"),
    firstExecutionId: text("first_execution_id"),
    lastExecutionId: text("last_execution_id"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("schedule_runs_slot").on(t.scheduleId, t.slot),
    index("schedule_runs_retry").on(t.status, t.nextAttemptAt),
    index("schedule_runs_schedule").on(t.scheduleId, t.createdAt),
  ],
);

/**
 * Bundled tasks (tasks/ packed into the Worker) this database has registered, by name and
 * content hash. Each is registered once: a task deleted through the API stays deleted until a
 * Worker deploy brings it with other content.
 */
export const bundledRegistrations = sqliteTable(
  "bundled_registrations",
  {
    taskName: text("task_name").notNull(),
    hash: text("hash").notNull(),
    registeredAt: text("registered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskName, t.hash] })],
);

/**
 * Running totals of the executions table by task, status and duration bucket (`le`: the
 * smallest histogram bound at or above the duration, "+Inf" above them all), so /metrics reads a
 * few rows instead of the whole history. The statement batch that inserts records adds them here
 * in the same transaction: one row changes per (task, status, bucket) in the batch, not per
 * execution. /metrics adds them up into totals and Prometheus's cumulative buckets. WITHOUT
 * ROWID like executions (migrations/0006_executions_without_rowid.sql): a new group writes one row.
 */
export const executionStats = sqliteTable(
  "execution_stats",
  {
    taskName: text("task_name").notNull(),
    status: text("status").notNull(),
    le: text("le").notNull(),
    count: integer("count").notNull(),
    durationMsSum: real("duration_ms_sum").notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskName, t.status, t.le] })],
);

/**
 * An API token. Only the SHA-256 of the token is kept (hex); the token itself is shown once, when
 * it is created. `scopes` are of admin, deploy, execute, read; `tasks`, when set, limits the token
 * to those task names. A revoked token stays listed with `revokedAt` so its use can be explained.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    tasks: text("tasks", { mode: "json" }).$type<string[]>(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenHash)],
);

/**
 * A task's secret: its value encrypted with AES-GCM under the Worker secret RATCHET_SECRETS_KEY,
 * with a fresh 12-byte IV per write (both base64). The value never leaves the platform but as
 * `context.secrets.NAME` inside the task's own run.
 */
export const taskSecrets = sqliteTable(
  "task_secrets",
  {
    taskName: text("task_name").notNull(),
    name: text("name").notNull(),
    ciphertext: text("ciphertext").notNull(),
    iv: text("iv").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskName, t.name] })],
);
