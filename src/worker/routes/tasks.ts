import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { runTests } from "../../engine/index.ts";
import { syncDeclaredSchedules } from "../../schedules/service.ts";
import { deleteTask, deployBundle, findTask, findVersion, listTasks, listVersions, openDb, setCurrentVersion, setEnabled, VersionConflictError } from "../../store/tasks.ts";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { executeHandler } from "../execution-reply.ts";
import { platformFetch } from "../../platform/execute-and-record.ts";
import { checkBody, limitParam, readJson, taskName } from "../request.ts";
import { resource } from "../resource.ts";
import { engineFor, loadBundle } from "../../platform/sandbox.ts";
import { forgetTask, resolveVersion } from "../../platform/version-cache.ts";
import { taskDetailView, taskView, versionView } from "../views.ts";

const taskChangeSchema = {
  type: "object",
  required: ["enabled"],
  additionalProperties: false,
  properties: { enabled: { type: "boolean", description: "A disabled task refuses invocations (409) and its schedules pause" } },
} as const satisfies JSONSchema;
type TaskChange = FromSchema<typeof taskChangeSchema>;

const rollbackSchema = {
  type: "object",
  required: ["version"],
  additionalProperties: false,
  properties: { version: { type: "string", minLength: 1 } },
} as const satisfies JSONSchema;
type Rollback = FromSchema<typeof rollbackSchema>;

async function requireTask(c: Context<AppEnv>, name: string) {
  const found = await findTask(openDb(c.env.DB), name);
  if (!found) throw new ApiError(404, "not_found", `No task named ${name}`);
  return found;
}

async function deploy(c: Context<AppEnv>) {
  const name = taskName(c);
  const checked = await engineFor(c.env).loadDocument(await readJson(c));
  if (!checked.ok) throw new ApiError(400, "invalid_bundle", `The bundle has ${checked.problems.filter((p) => p.severity === "error").length} problem(s)`, { problems: checked.problems });
  try {
    const db = openDb(c.env.DB);
    const deployed = await deployBundle(db, c.env.BUNDLES, name, checked.bundle);
    forgetTask(name);
    await syncDeclaredSchedules(db, deployed.version);
    const status = deployed.outcome === "created" ? 201 : 200;
    return c.json({ outcome: deployed.outcome, task: taskView(deployed.task, deployed.version), warnings: checked.warnings }, status);
  } catch (error) {
    if (error instanceof VersionConflictError) throw new ApiError(409, "version_conflict", error.message);
    throw error;
  }
}

export function taskRoutes(app: Hono<AppEnv>): void {
  resource(app, "/tasks", {
    GET: async (c) => {
      const limit = limitParam(c, 50, 200);
      const rows = await listTasks(openDb(c.env.DB), { tag: c.req.query("tag"), q: c.req.query("q"), limit: limit + 1, after: c.req.query("cursor") });
      const page = rows.slice(0, limit);
      return c.json({ tasks: page.map((r) => taskView(r.task, r.version)), next_cursor: rows.length > limit ? page.at(-1)!.task.name : null });
    },
  });

  resource(app, "/tasks/:name", {
    GET: async (c) => {
      const { task, version } = await requireTask(c, taskName(c));
      return c.json(taskDetailView(task, version));
    },
    PUT: deploy,
    PATCH: async (c) => {
      const name = taskName(c);
      const { version } = await requireTask(c, name);
      const { enabled } = checkBody<TaskChange>(taskChangeSchema, await readJson(c), "The task change");
      const task = await setEnabled(openDb(c.env.DB), name, enabled);
      forgetTask(name);
      return c.json(taskView(task, version));
    },
    DELETE: async (c) => {
      const name = taskName(c);
      await requireTask(c, name);
      const versions = await deleteTask(openDb(c.env.DB), c.env.BUNDLES, name);
      forgetTask(name);
      return c.json({ deleted: name, versions });
    },
  });

  resource(app, "/tasks/:name/versions", {
    GET: async (c) => {
      const name = taskName(c);
      const { task } = await requireTask(c, name);
      const versions = await listVersions(openDb(c.env.DB), name);
      return c.json({ current_version_id: task.currentVersionId, versions: versions.map(versionView) });
    },
  });

  resource(app, "/tasks/:name/rollback", {
    POST: async (c) => {
      const name = taskName(c);
      await requireTask(c, name);
      const { version } = checkBody<Rollback>(rollbackSchema, await readJson(c), "The rollback request");
      const db = openDb(c.env.DB);
      const target = await findVersion(db, name, version);
      if (!target) throw new ApiError(404, "not_found", `Task ${name} has no version ${version}`);
      const task = await setCurrentVersion(db, name, target.id);
      forgetTask(name);
      return c.json({ task: taskView(task, target) });
    },
  });

  resource(app, "/tasks/:name/test", {
    POST: async (c) => {
      const name = taskName(c);
      const version = await resolveVersion(c.env, name, c.req.query("version"));
      const bundle = await loadBundle(c.env.BUNDLES, version.hash, version.r2Key);
      const report = await runTests(engineFor(c.env), bundle, { fetch: platformFetch });
      return c.json({
        task: name,
        version: version.version,
        passed: report.passed,
        failed: report.failed,
        tests: report.tests.map((t) => ({
          file: t.file,
          name: t.name,
          passed: t.passed,
          ...(t.failure ? { failure: t.failure } : {}),
          ...(t.diff ? { diff: t.diff } : {}),
          status: t.result.status,
          ...(t.result.error ? { error: t.result.error } : {}),
          duration_ms: t.result.durationMs,
        })),
      });
    },
  });

  resource(app, "/tasks/:name/execute", { POST: executeHandler("envelope") });
}
