import type { D1Database, R2Bucket } from "@cloudflare/workers-types";
import { and, asc, desc, eq, gt, inArray, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { TaskBundle } from "../engine/index.ts";
import { isUniqueViolation } from "./errors.ts";
import * as schema from "./schema.ts";
import { tasks, taskVersions } from "./schema.ts";

/** The Drizzle database, and the D1 binding under it for statements whose SQL is built once (executions.ts). */
export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };
export type TaskRow = typeof tasks.$inferSelect;
export type VersionRow = typeof taskVersions.$inferSelect;

const databases = new WeakMap<D1Database, Db>();

/** The Drizzle database over a D1 binding, made once per binding (building one reads the whole schema). */
export function openDb(d1: D1Database): Db {
  let db = databases.get(d1);
  if (!db) {
    db = drizzle(d1 as never, { schema }) as unknown as Db;
    databases.set(d1, db);
  }
  return db;
}

/** Bundles are stored once per content hash: equal content, equal key. */
export const bundleKey = (hash: string) => `bundles/${hash.replace(":", "/")}.json`;

const putBundle = (bucket: R2Bucket, key: string, bundle: TaskBundle) =>
  bucket.put(key, JSON.stringify(bundle), { httpMetadata: { contentType: "application/json" }, customMetadata: { hash: bundle.hash } });

export interface DeployOutcome {
  /** created: a new version; switched: an earlier version with this content is current again; unchanged: it already was. */
  outcome: "created" | "switched" | "unchanged";
  task: TaskRow;
  version: VersionRow;
}

export class VersionConflictError extends Error {
  override name = "VersionConflictError";
}

/** The task and the version serving it, in one query. */
export async function findTask(db: Db, name: string): Promise<{ task: TaskRow; version: VersionRow } | undefined> {
  const [row] = await db
    .select({ task: tasks, version: taskVersions })
    .from(tasks)
    .innerJoin(taskVersions, eq(taskVersions.id, tasks.currentVersionId))
    .where(eq(tasks.name, name))
    .limit(1);
  return row;
}

/** What running a version needs, without its metadata and schemas (the bundle holds those). */
const versionRefColumns = {
  id: taskVersions.id,
  taskName: taskVersions.taskName,
  version: taskVersions.version,
  hash: taskVersions.hash,
  r2Key: taskVersions.r2Key,
};
export type VersionRef = Pick<VersionRow, keyof typeof versionRefColumns>;

/** The version serving `name` and whether the task is enabled, in one narrow query. */
export async function findServingVersion(db: Db, name: string): Promise<{ enabled: boolean; version: VersionRef } | undefined> {
  const [row] = await db
    .select({ enabled: tasks.enabled, version: versionRefColumns })
    .from(tasks)
    .innerJoin(taskVersions, eq(taskVersions.id, tasks.currentVersionId))
    .where(eq(tasks.name, name))
    .limit(1);
  return row;
}

/** One version of `name` by its version string, in one narrow query. */
export async function findVersionRef(db: Db, name: string, version: string): Promise<VersionRef | undefined> {
  const [row] = await db.select(versionRefColumns).from(taskVersions).where(and(eq(taskVersions.taskName, name), eq(taskVersions.version, version))).limit(1);
  return row;
}

export async function findVersion(db: Db, name: string, version: string): Promise<VersionRow | undefined> {
  const [row] = await db.select().from(taskVersions).where(and(eq(taskVersions.taskName, name), eq(taskVersions.version, version))).limit(1);
  return row;
}

/** Statements that must commit with a deploy (its declared schedules), planned against the version it serves. */
export type DeployAlongside = (version: VersionRow) => Promise<BatchItem<"sqlite">[]>;

/**
 * Deploys a validated bundle as the current version of `name`. The bundle object goes to R2
 * first, then one D1 batch (atomic) adds the version, points the task at it and applies the
 * `alongside` statements: a failure anywhere leaves the previous version serving with its
 * schedules, and no row ever points at a missing object. An object whose batch failed is
 * unreferenced until a retry (same content, same key) or the orphan cleanup (bundle-cleanup.ts).
 * Two deploys racing for the same version: the loser decides again against the winner's row.
 */
export async function deployBundle(db: Db, bucket: R2Bucket, name: string, bundle: TaskBundle, now = new Date().toISOString(), alongside: DeployAlongside = async () => []): Promise<DeployOutcome> {
  try {
    return await deployOnce(db, bucket, name, bundle, now, alongside);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return deployOnce(db, bucket, name, bundle, now, alongside);
  }
}

async function deployOnce(db: Db, bucket: R2Bucket, name: string, bundle: TaskBundle, now: string, alongside: DeployAlongside): Promise<DeployOutcome> {
  const current = await findTask(db, name);
  if (current && current.version.hash === bundle.hash) {
    // Deploying again is how a lost bundle object is restored.
    if (!(await bucket.head(current.version.r2Key))) await putBundle(bucket, current.version.r2Key, bundle);
    const [first, ...rest] = await alongside(current.version);
    if (first) await db.batch([first, ...rest]);
    return { outcome: "unchanged", task: current.task, version: current.version };
  }

  const sameVersion = await findVersion(db, name, bundle.metadata.version);
  if (sameVersion && sameVersion.hash !== bundle.hash) {
    throw new VersionConflictError(
      `${name} version ${bundle.metadata.version} is already deployed with other content; versions are immutable, so bump metadata.json "version"`,
    );
  }
  if (sameVersion) {
    const [[task]] = await db.batch([
      db.update(tasks).set({ currentVersionId: sameVersion.id, updatedAt: now }).where(eq(tasks.name, name)).returning(),
      ...(await alongside(sameVersion)),
    ]);
    return { outcome: "switched", task: task!, version: sameVersion };
  }

  const key = bundleKey(bundle.hash);
  // Written even when an object with this content exists (an orphan of a failed deploy): the
  // fresh upload time keeps the orphan cleanup's grace period from removing it under this deploy.
  await putBundle(bucket, key, bundle);
  const version: VersionRow = {
    id: crypto.randomUUID(),
    taskName: name,
    version: bundle.metadata.version,
    hash: bundle.hash,
    r2Key: key,
    label: bundle.metadata.label,
    description: bundle.metadata.description ?? null,
    tags: [...(bundle.metadata.tags ?? [])],
    metadata: bundle.metadata,
    inputSchema: bundle.input_schema,
    outputSchema: bundle.output_schema,
    testCount: bundle.tests.length,
    createdAt: now,
  };
  const [, upserted] = await db.batch([
    db.insert(taskVersions).values(version),
    db
      .insert(tasks)
      .values({ name, currentVersionId: version.id, enabled: true, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: tasks.name, set: { currentVersionId: version.id, updatedAt: now } })
      .returning(),
    ...(await alongside(version)),
  ]);
  return { outcome: "created", task: upserted[0]!, version };
}

export interface TaskListQuery {
  tag?: string;
  q?: string;
  limit: number;
  /** The last name of the previous page. */
  after?: string;
  /** Only these tasks (a task-limited token's); null or omitted: all. */
  names?: string[] | null;
}

/** Tasks with their current version, by name, filtered by tag and by text in name, label or description. */
export async function listTasks(db: Db, query: TaskListQuery): Promise<{ task: TaskRow; version: VersionRow }[]> {
  const filters = [];
  if (query.after) filters.push(gt(tasks.name, query.after));
  if (query.names) filters.push(inArray(tasks.name, query.names));
  if (query.tag) filters.push(sql`exists (select 1 from json_each(${taskVersions.tags}) where value = ${query.tag})`);
  if (query.q) {
    // instr, not LIKE: D1 refuses a LIKE pattern over 50 bytes (a longer q was a 500), and q is matched as
    // plain text. lower() folds ASCII letters only, as LIKE did.
    const has = (column: typeof tasks.name | typeof taskVersions.label | typeof taskVersions.description) => sql`instr(lower(${column}), lower(${query.q})) > 0`;
    filters.push(or(has(tasks.name), has(taskVersions.label), has(taskVersions.description)));
  }
  return db
    .select({ task: tasks, version: taskVersions })
    .from(tasks)
    .innerJoin(taskVersions, eq(taskVersions.id, tasks.currentVersionId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(asc(tasks.name))
    .limit(query.limit);
}

export function listVersions(db: Db, name: string): Promise<VersionRow[]> {
  return db.select().from(taskVersions).where(eq(taskVersions.taskName, name)).orderBy(desc(taskVersions.createdAt), desc(taskVersions.id));
}

export async function setCurrentVersion(db: Db, name: string, versionId: string, now = new Date().toISOString()): Promise<TaskRow> {
  const [task] = await db.update(tasks).set({ currentVersionId: versionId, updatedAt: now }).where(eq(tasks.name, name)).returning();
  return task!;
}

export async function setEnabled(db: Db, name: string, enabled: boolean, now = new Date().toISOString()): Promise<TaskRow> {
  const [task] = await db.update(tasks).set({ enabled, updatedAt: now }).where(eq(tasks.name, name)).returning();
  return task!;
}

/**
 * Deletes a task and all its versions in one batch: all or nothing. Execution history stays.
 * The bundle objects no version uses any more are left to the scheduler's orphan cleanup
 * (platform/bundle-cleanup.ts): deleting them here could remove an object a concurrent deploy
 * of the same content has just put, and an R2 failure here would fail a delete already done.
 */
export async function deleteTask(db: Db, name: string): Promise<number> {
  const [, deleted] = await db.batch([db.delete(tasks).where(eq(tasks.name, name)), db.delete(taskVersions).where(eq(taskVersions.taskName, name)).returning({ id: taskVersions.id })]);
  return deleted.length;
}
