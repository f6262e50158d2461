import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { listTasks, listVersions, openDb, setEnabled } from "../../store/tasks.ts";
import { deployTask, removeTask, requireTask, rollbackTask, testTask } from "../../platform/task-ops.ts";
import { forgetTask } from "../../platform/version-cache.ts";
import { taskDetailView, taskView, versionView } from "../../platform/views.ts";
import type { AppEnv } from "../app-env.ts";
import { executeHandler } from "../execution-reply.ts";
import { checkBody, limitParam, readJson, taskName } from "../request.ts";
import { requireScope } from "../middleware/scope.ts";
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

async function deploy(c: Context<AppEnv>) {
  const deployed = await deployTask(c.env, taskName(c), await readJson(c));
  const status = deployed.outcome === "created" ? 201 : 200;
  return c.json({ outcome: deployed.outcome, task: taskView(deployed.task, deployed.version), warnings: deployed.warnings }, status);
}

export function taskRoutes(app: Hono<AppEnv>): void {
  resource(app, "/tasks", {
    GET: [
      requireScope("read"),
      async (c) => {
        const limit = limitParam(c, 50, 200);
        const names = c.get("principal").tasks;
        const rows = await listTasks(openDb(c.env.DB), { tag: c.req.query("tag"), q: c.req.query("q"), limit: limit + 1, after: c.req.query("cursor"), names });
        const page = rows.slice(0, limit);
        return c.json({ tasks: page.map((r) => taskView(r.task, r.version)), next_cursor: rows.length > limit ? page.at(-1)!.task.name : null });
      },
    ],
  });

  resource(app, "/tasks/:name", {
    GET: [
      requireScope("read"),
      async (c) => {
        const { task, version } = await requireTask(c.env, taskName(c));
        return c.json(taskDetailView(task, version));
      },
    ],
    PUT: [requireScope("deploy"), deploy],
    PATCH: [requireScope("deploy"), async (c) => {
      const name = taskName(c);
      const { version } = await requireTask(c.env, name);
      const { enabled } = checkBody<TaskChange>(taskChangeSchema, await readJson(c), "The task change");
      const task = await setEnabled(openDb(c.env.DB), name, enabled);
      forgetTask(name);
      return c.json(taskView(task, version));
    }],
    DELETE: [requireScope("deploy"), async (c) => {
      const name = taskName(c);
      const versions = await removeTask(c.env, name);
      return c.json({ deleted: name, versions });
    }],
  });

  resource(app, "/tasks/:name/versions", {
    GET: [requireScope("read"), async (c) => {
      const name = taskName(c);
      const { task } = await requireTask(c.env, name);
      const versions = await listVersions(openDb(c.env.DB), name);
      return c.json({ current_version_id: task.currentVersionId, versions: versions.map(versionView) });
    }],
  });

  resource(app, "/tasks/:name/rollback", {
    POST: [requireScope("deploy"), async (c) => {
      const name = taskName(c);
      await requireTask(c.env, name);
      const { version } = checkBody<Rollback>(rollbackSchema, await readJson(c), "The rollback request");
      const rolledBack = await rollbackTask(c.env, name, version);
      return c.json({ task: taskView(rolledBack.task, rolledBack.version) });
    }],
  });

  resource(app, "/tasks/:name/test", {
    POST: [requireScope("execute"), async (c) => {
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
    }],
  });

  resource(app, "/tasks/:name/execute", { POST: [requireScope("execute"), executeHandler("envelope")] });
}
