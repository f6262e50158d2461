import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { bundleDocumentSchema } from "../../engine/index.ts";
import { listTasks, listVersions, openDb, setEnabled } from "../../store/tasks.ts";
import { deployTask, removeTask, requireTask, rollbackTask, testTask } from "../../platform/task-ops.ts";
import { forgetTask } from "../../platform/version-cache.ts";
import { taskDetailView, taskView, versionView } from "../../platform/views.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { executeHandler, executionDoc } from "../execution-reply.ts";
import { checkBody, limitParam, readJson, taskName } from "../../http/request.ts";
import { schemaRef } from "../openapi/schemas.ts";
import { resource } from "../resource.ts";

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

const deployedSchema = {
  type: "object",
  required: ["outcome", "task", "warnings"],
  properties: { outcome: { enum: ["created", "unchanged"] }, task: schemaRef("Task"), warnings: { type: "array", items: { type: "object" } } },
};

const testReportSchema = {
  type: "object",
  required: ["task", "version", "passed", "failed", "tests"],
  properties: {
    task: { type: "string" },
    version: { type: "string" },
    passed: { type: "integer" },
    failed: { type: "integer" },
    tests: { type: "array", items: { type: "object", required: ["file", "passed", "status", "duration_ms"], properties: { file: { type: "string" }, name: { type: "string" }, passed: { type: "boolean" }, status: { type: "string" }, duration_ms: { type: "number" } } } },
  },
};

async function deploy(c: Context<AppEnv>) {
  const deployed = await deployTask(c.env, taskName(c), await readJson(c));
  const status = deployed.outcome === "created" ? 201 : 200;
  return c.json({ outcome: deployed.outcome, task: taskView(deployed.task, deployed.version), warnings: deployed.warnings }, status);
}

const cursorQuery = { description: "next_cursor of the previous page" };
const limitQuery = (max: number, fallback: number) => ({ description: `Page size, 1 to ${max} (default ${fallback})`, schema: { type: "integer", minimum: 1, maximum: max } });
const noTask = { description: "not_found: no task by that name" };

export function taskRoutes(app: Hono<AppEnv>): void {
  resource(app, "/tasks", {
    GET: {
      scope: "read",
      doc: {
        tag: "tasks",
        summary: "List tasks",
        description: "By name; a task-limited token sees only its tasks.",
        query: { tag: { description: "Only tasks whose current version has this tag" }, q: { description: "Text in the name, label or description" }, cursor: cursorQuery, limit: limitQuery(200, 50) },
        responses: {
          200: { description: "A page of tasks", schema: { type: "object", required: ["tasks", "next_cursor"], properties: { tasks: { type: "array", items: schemaRef("Task") }, next_cursor: { type: ["string", "null"] } } } },
          400: { description: "invalid_query: limit out of range" },
        },
      },
      handler: async (c) => {
        const limit = limitParam(c, 50, 200);
        const names = c.get("principal").tasks;
        const rows = await listTasks(openDb(c.env.DB), { tag: c.req.query("tag"), q: c.req.query("q"), limit: limit + 1, after: c.req.query("cursor"), names });
        const page = rows.slice(0, limit);
        return c.json({ tasks: page.map((r) => taskView(r.task, r.version)), next_cursor: rows.length > limit ? page.at(-1)!.task.name : null });
      },
    },
  });

  resource(app, "/tasks/:name", {
    GET: {
      scope: "read",
      doc: { tag: "tasks", summary: "Get a task", description: "With its current version's metadata and schemas.", responses: { 200: { description: "The task", schema: "TaskDetail" }, 404: noTask } },
      handler: async (c) => {
        const { task, version } = await requireTask(c.env, taskName(c));
        return c.json(taskDetailView(task, version));
      },
    },
    PUT: {
      scope: "deploy",
      doc: {
        tag: "tasks",
        summary: "Deploy a task",
        description: "Creates the task or a new version of it from a bundle (`ratchet bundle` writes one). The same bundle again changes nothing; changed content under the same version is refused.",
        body: { description: "The bundle document", schema: bundleDocumentSchema },
        responses: {
          200: { description: "unchanged: this bundle is already deployed", schema: deployedSchema },
          201: { description: "created: a new task or version", schema: deployedSchema },
          400: { description: "invalid_bundle: the bundle has problems (each with its file and line)" },
          409: { description: "version_conflict: this version exists with other content; bump the version" },
          503: { description: "storage_unavailable: D1 or R2 failed; nothing was deployed, try again" },
        },
      },
      handler: deploy,
    },
    PATCH: {
      scope: "deploy",
      doc: {
        tag: "tasks",
        summary: "Enable or disable a task",
        body: { description: "The change", schema: taskChangeSchema },
        responses: { 200: { description: "The task", schema: "Task" }, 400: { description: "invalid_request: the body does not match the schema" }, 404: noTask },
      },
      handler: async (c) => {
        const name = taskName(c);
        const { version } = await requireTask(c.env, name);
        const { enabled } = checkBody<TaskChange>(taskChangeSchema, await readJson(c), "The task change");
        const task = await setEnabled(openDb(c.env.DB), name, enabled);
        forgetTask(name);
        return c.json(taskView(task, version));
      },
    },
    DELETE: {
      scope: "deploy",
      doc: {
        tag: "tasks",
        summary: "Delete a task",
        description: "With all its versions and secrets; its execution records stay, and so do its schedules (a change to one answers 409 until the task is deployed again).",
        responses: {
          200: { description: "Deleted", schema: { type: "object", required: ["deleted", "versions"], properties: { deleted: { type: "string" }, versions: { type: "integer" } } } },
          404: noTask,
        },
      },
      handler: async (c) => {
        const name = taskName(c);
        const versions = await removeTask(c.env, name);
        return c.json({ deleted: name, versions });
      },
    },
  });

  resource(app, "/tasks/:name/versions", {
    GET: {
      scope: "read",
      doc: {
        tag: "tasks",
        summary: "List a task's versions",
        description: "Newest first.",
        responses: {
          200: { description: "The versions", schema: { type: "object", required: ["current_version_id", "versions"], properties: { current_version_id: { type: "string" }, versions: { type: "array", items: schemaRef("Version") } } } },
          404: noTask,
        },
      },
      handler: async (c) => {
        const name = taskName(c);
        const { task } = await requireTask(c.env, name);
        const versions = await listVersions(openDb(c.env.DB), name);
        return c.json({ current_version_id: task.currentVersionId, versions: versions.map(versionView) });
      },
    },
  });

  resource(app, "/tasks/:name/rollback", {
    POST: {
      scope: "deploy",
      doc: {
        tag: "tasks",
        summary: "Roll a task back to an earlier version",
        body: { description: "The version to serve", schema: rollbackSchema },
        responses: {
          200: { description: "The task, now serving that version", schema: { type: "object", required: ["task"], properties: { task: schemaRef("Task") } } },
          400: { description: "invalid_request: the body does not match the schema" },
          404: { description: "not_found: no task by that name, or no such version of it" },
          503: { description: "storage_unavailable: D1 failed; the task serves its version as before, try again" },
        },
      },
      handler: async (c) => {
        const name = taskName(c);
        await requireTask(c.env, name);
        const { version } = checkBody<Rollback>(rollbackSchema, await readJson(c), "The rollback request");
        const rolledBack = await rollbackTask(c.env, name, version);
        return c.json({ task: taskView(rolledBack.task, rolledBack.version) });
      },
    },
  });

  resource(app, "/tasks/:name/test", {
    POST: {
      scope: "execute",
      rateLimited: true,
      doc: {
        tag: "tasks",
        summary: "Run a task's tests",
        description: "The tests of the bundle, on the platform, against the current version or `?version=`.",
        query: { version: { description: "A version to test instead of the current one, e.g. 1.0.0" } },
        responses: { 200: { description: "The report, passed or not", schema: testReportSchema }, 404: { description: "not_found: no task by that name, or no such version of it" } },
      },
      handler: async (c) => {
        const name = taskName(c);
        const { version, report } = await testTask(c.env, name, { version: c.req.query("version") });
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
    },
  });

  resource(app, "/tasks/:name/execute", { POST: { scope: "execute", rateLimited: true, doc: executionDoc("envelope"), handler: executeHandler("envelope") } });
}
