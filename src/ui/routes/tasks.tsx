/** @jsxImportSource hono/jsx */
import type { Hono } from "hono";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { loadBundle } from "../../platform/sandbox.ts";
import { requireTask, rollbackTask } from "../../platform/task-ops.ts";
import { getExecution, listExecutions } from "../../store/executions.ts";
import { recentRuns } from "../../store/run-stats.ts";
import { listSchedules } from "../../store/schedules.ts";
import { listTasks, listVersions, openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { taskName } from "../../http/request.ts";
import { page, rateLimited, type PageContext } from "../dashboard.tsx";
import { RunPage } from "../pages/run.tsx";
import { TaskPage } from "../pages/task.tsx";
import { TasksPage } from "../pages/tasks.tsx";
import { hourly, statsByTask } from "../stats.ts";

const DAY = 86_400_000;
/** Enough runs for the list's 7-day figures and the charts without reading the whole history. */
const RUN_WINDOW_LIMIT = 10_000;

/** A default input for the form: the schema's top-level defaults. */
function defaultsOf(schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, { default?: unknown }> } | null)?.properties ?? {};
  return Object.fromEntries(Object.entries(properties).flatMap(([key, sub]) => (sub && typeof sub === "object" && "default" in sub ? [[key, sub.default]] : [])));
}

async function runPage({ c, frame }: PageContext, name: string, inputText: string, notice?: string, status: 200 | 400 | 409 = 200) {
  const { task, version } = await requireTask(c.env, name);
  return c.html(<RunPage frame={frame} task={task} version={version} inputText={inputText} notice={notice} />, status);
}

export function taskRoutes(app: Hono<AppEnv>): void {
  app.get(
    "/",
    page("read", async ({ c, frame, principal }) => {
      const db = openDb(c.env.DB);
      const q = c.req.query("q")?.trim() ?? "";
      const now = new Date();
      const [rows, runs] = await Promise.all([listTasks(db, { q: q || undefined, limit: 200 }), recentRuns(db, { since: new Date(now.getTime() - 7 * DAY), limit: RUN_WINDOW_LIMIT })]);
      const visible = rows.filter((r) => principal.tasks === null || principal.tasks.includes(r.task.name));
      const names = new Set(visible.map((r) => r.task.name));
      const stats = statsByTask(runs);
      const dayRuns = runs.filter((r) => names.has(r.taskName) && Date.parse(r.startedAt) >= now.getTime() - DAY);
      return c.html(<TasksPage frame={frame} q={q} rows={visible.map((r) => ({ ...r, stats: stats.get(r.task.name) }))} buckets={hourly(dayRuns, now)} />);
    }),
  );

  app.get(
    "/tasks/:name",
    page("read", async ({ c, frame, may }) => {
      const name = taskName(c);
      const { task, version } = await requireTask(c.env, name);
      const db = openDb(c.env.DB);
      const now = new Date();
      const [versions, schedules, runs, dayRuns, bundle] = await Promise.all([
        listVersions(db, name),
        listSchedules(db, name),
        listExecutions(db, { task: name, limit: 10 }),
        recentRuns(db, { task: name, since: new Date(now.getTime() - DAY), limit: RUN_WINDOW_LIMIT }),
        loadBundle(c.env.BUNDLES, version.hash, version.r2Key),
      ]);
      const rolledBack = c.req.query("rolled_back");
      return c.html(
        <TaskPage
          frame={frame}
          task={task}
          version={version}
          versions={versions}
          bundle={bundle}
          schedules={schedules}
          runs={runs}
          buckets={hourly(dayRuns, now)}
          can={{ run: may("execute", name), deploy: may("deploy", name) }}
          notice={rolledBack ? { kind: "ok", text: `Rolled back: ${rolledBack} is the current version.` } : undefined}
        />,
      );
    }),
  );

  app.post(
    "/tasks/:name/rollback",
    page("deploy", async ({ c, field }) => {
      const name = taskName(c);
      const rolled = await rollbackTask(c.env, name, field("version") ?? "");
      return c.redirect(`/tasks/${name}?rolled_back=${encodeURIComponent(rolled.version.version)}`, 303);
    }),
  );

  app.get(
    "/tasks/:name/run",
    page("execute", async (ctx) => {
      const { c } = ctx;
      const name = taskName(c);
      const from = c.req.query("from");
      if (from) {
        const previous = await getExecution(openDb(c.env.DB), c.env.BUNDLES, from);
        if (previous && previous.taskName === name) return runPage(ctx, name, JSON.stringify(previous.input ?? {}, null, 2));
      }
      const { version } = await requireTask(c.env, name);
      return runPage(ctx, name, JSON.stringify(defaultsOf(version.inputSchema), null, 2));
    }),
  );

  app.post(
    "/tasks/:name/run",
    page("execute", async (ctx) => {
      const { c, field } = ctx;
      const name = taskName(c);
      const text = field("input") ?? "";
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (error) {
        return runPage(ctx, name, text, `The input is not valid JSON: ${(error as Error).message}`, 400);
      }
      const refused = await rateLimited(ctx);
      if (refused) return refused;
      // The same execution path as POST /api/v1/tasks/{name}/execute; the page opens once the record is readable (Invocation.answerable).
      const { result, answerable } = await invokeTask(c.env, c.executionCtx, name, input, { trigger: "http" });
      await answerable;
      return c.redirect(`/executions/${result.executionId}`, 303);
    }),
  );
}
