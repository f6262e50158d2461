/**
 * The platform's task operations, shared by the HTTP routes (src/worker/routes/tasks.ts) and the
 * MCP tools on the Worker (src/platform/workspace/): one deploy, one delete, one rollback, one
 * test run. Refusals are ApiErrors, which each host renders its own way.
 */
import { runTests, type Problem, type TaskBundle, type TestReport } from "../engine/index.ts";
import { declaredScheduleStatements, ScheduleRejected } from "../schedules/service.ts";
import { deleteTask, deployBundle, findTask, findVersion, openDb, setCurrentVersion, VersionConflictError, type DeployOutcome, type TaskRow, type VersionRef, type VersionRow } from "../store/tasks.ts";
import { devVersion } from "./dev-version.ts";
import type { Env } from "./env.ts";
import { ApiError } from "./errors.ts";
import { platformFetch } from "./execute-and-record.ts";
import { engineFor, loadBundle } from "./sandbox.ts";
import { accepted } from "./schedules.ts";
import { storageStep } from "./storage-errors.ts";
import { removeTaskSecrets, secretsForRun } from "./secrets/task-secrets.ts";
import { forgetTask, resolveVersion } from "./version-cache.ts";

export type Deployed = DeployOutcome & { warnings: Problem[] };

export async function requireTask(env: Env, name: string): Promise<{ task: TaskRow; version: VersionRow }> {
  const found = await findTask(openDb(env.DB), name);
  if (!found) throw new ApiError(404, "not_found", `No task named ${name}`);
  return found;
}

/** A validated bundle; 400 with every problem when the document is not one. */
export async function checkedBundle(env: Env, document: unknown): Promise<{ bundle: TaskBundle; warnings: Problem[] }> {
  const checked = await engineFor(env).loadDocument(document);
  if (!checked.ok) throw new ApiError(400, "invalid_bundle", `The bundle has ${checked.problems.filter((p) => p.severity === "error").length} problem(s)`, { problems: checked.problems });
  return checked;
}

/** The bundle under its development version (see devVersion). */
async function asDevVersion(env: Env, bundle: TaskBundle): Promise<TaskBundle> {
  const { hash: _hash, ...document } = bundle;
  return (await checkedBundle(env, { ...document, metadata: { ...bundle.metadata, version: devVersion(bundle.metadata.version, bundle.hash) } })).bundle;
}

const DEPLOY_RETRY = "Either all of the deploy took effect or none of it did; deploying the same content again is safe.";

/**
 * Deploys a bundle document as the current version of `name` and brings the task's declared
 * schedules in line, all or nothing (a storage failure is a 503 storage_unavailable). A version string deployed already with other content is a 409, unless
 * `devVersionOnConflict`: then the content is deployed as that version's development version
 * (an edit saved without a version bump, as `ratchet serve` does for edited folders).
 */
export async function deployTask(env: Env, name: string, document: unknown, options: { devVersionOnConflict?: boolean } = {}): Promise<Deployed> {
  const checked = await checkedBundle(env, document);
  const db = openDb(env.DB);
  const deploy = async (bundle: TaskBundle) => {
    try {
      // The version and the declared schedules commit in one D1 batch: all of the deploy or none.
      const deployed = await accepted(() =>
        storageStep(`deploying ${name}`, DEPLOY_RETRY, () => deployBundle(db, env.BUNDLES, name, bundle, undefined, (version) => declaredScheduleStatements(db, version)), [VersionConflictError, ScheduleRejected]),
      );
      return { ...deployed, warnings: checked.warnings };
    } finally {
      // After a failure too: the batch may have committed before its answer was lost.
      forgetTask(name);
    }
  };
  try {
    return await deploy(checked.bundle);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    if (options.devVersionOnConflict) return deploy(await asDevVersion(env, checked.bundle));
    throw new ApiError(409, "version_conflict", error.message);
  }
}

/** Deletes a task, its secrets and its versions (its history stays); the number of versions deleted. */
export async function removeTask(env: Env, name: string): Promise<number> {
  return storageStep(`deleting ${name}`, "Deleting it again is safe.", async () => {
    await requireTask(env, name);
    // Secrets first: should the rest fail, no secret outlives its task to reach a new task of that name.
    await removeTaskSecrets(env, name);
    try {
      return await deleteTask(openDb(env.DB), name);
    } finally {
      forgetTask(name);
    }
  });
}

/** Makes an earlier version of a task current again. */
export async function rollbackTask(env: Env, name: string, version: string): Promise<{ task: TaskRow; version: VersionRow }> {
  await requireTask(env, name);
  const db = openDb(env.DB);
  return storageStep(`rolling ${name} back to ${version}`, "The task serves its version as before; try again.", async () => {
    const target = await findVersion(db, name, version);
    if (!target) throw new ApiError(404, "not_found", `Task ${name} has no version ${version}`);
    const task = await setCurrentVersion(db, name, target.id);
    forgetTask(name);
    return { task, version: target };
  });
}

/** Runs a task's tests (those of the test file `only`, when given) on its serving version or `version`, guest fetches going out as executions' do. */
export async function testTask(env: Env, name: string, options: { version?: string; only?: string } = {}): Promise<{ version: VersionRef; report: TestReport }> {
  const [version, secrets] = await Promise.all([resolveVersion(env, name, options.version), secretsForRun(env, name)]);
  const bundle = await loadBundle(env.BUNDLES, version.hash, version.r2Key);
  if (options.only !== undefined && !bundle.tests.some((test) => test.file === options.only)) {
    throw new ApiError(404, "not_found", `Task ${name} has no test file ${options.only}`, { test_files: bundle.tests.map((test) => test.file) });
  }
  // The filtered array loses the intersection type TaskBundle gives `tests`; its items are unchanged.
  const tests = (options.only === undefined ? bundle.tests : bundle.tests.filter((test) => test.file === options.only)) as TaskBundle["tests"];
  return { version, report: await runTests(engineFor(env), { ...bundle, tests }, { fetch: platformFetch, secrets }) };
}
