/** @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { changeSchedule } from "../../schedules/service.ts";
import { invokeTask } from "../../platform/execute-and-record.ts";
import { ApiError } from "../../platform/errors.ts";
import { accepted, createScheduleFromRequest } from "../../platform/schedules.ts";
import { getSchedule, listRuns, listSchedules } from "../../store/schedules.ts";
import { findTask, listTasks, openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { previewCron } from "../cron-preview.ts";
import { errorPage, page, rateLimited, type PageContext } from "../dashboard.tsx";
import { SchedulePage, SchedulesPage } from "../pages/schedules.tsx";

/** IANA zones for the time zone field's suggestions (the runtime's own list). */
const zones = (): string[] => ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];

async function schedulesPage(ctx: PageContext, draft: Record<string, string | undefined>, notice?: { kind: "ok" | "error"; text: string }, status: 200 | 400 = 200) {
  const { c, frame, may, principal } = ctx;
  const db = openDb(c.env.DB);
  const [rows, tasks] = await Promise.all([listSchedules(db), listTasks(db, { limit: 200 })]);
  const preview = draft.cron ? previewCron(draft.cron, draft.timezone || "UTC") : null;
  return c.html(
    <SchedulesPage
      frame={frame}
      schedules={rows.filter((r) => principal.tasks === null || principal.tasks.includes(r.taskName))}
      tasks={tasks.map((t) => t.task.name).filter((name) => may("deploy", name))}
      zones={zones()}
      canChange={may("deploy")}
      draft={draft}
      preview={preview}
      notice={notice}
    />,
    status,
  );
}

async function scheduleOf(c: Context<AppEnv>, may: PageContext["may"]) {
  const row = await getSchedule(openDb(c.env.DB), c.req.param("id") ?? "");
  return row && may("read", row.taskName) ? row : undefined;
}

export function scheduleRoutes(app: Hono<AppEnv>): void {
  app.get(
    "/schedules",
    page("read", (ctx) => schedulesPage(ctx, { task: ctx.c.req.query("task") })),
  );

  // The create form's live preview: what the expression means and its next five runs in the zone.
  app.get(
    "/schedules/preview",
    page("read", ({ c }) => c.json(previewCron(c.req.query("cron") ?? "", c.req.query("timezone") || "UTC"))),
  );

  app.post(
    "/schedules",
    page("deploy", async (ctx) => {
      const { c, field, may } = ctx;
      const draft = { task: field("task"), cron: field("cron"), timezone: field("timezone"), input: field("input"), max_attempts: field("max_attempts"), backoff_seconds: field("backoff_seconds") };
      const refuse = (text: string) => schedulesPage(ctx, draft, { kind: "error", text }, 400);
      if (!draft.task || !may("deploy", draft.task)) return refuse(`You may not schedule the task ${draft.task ?? "(none chosen)"}.`);
      let input: unknown;
      try {
        input = JSON.parse(draft.input?.trim() || "{}");
      } catch (error) {
        return refuse(`The input is not valid JSON: ${(error as Error).message}`);
      }
      const retry = {
        ...(draft.max_attempts ? { max_attempts: Number(draft.max_attempts) } : {}),
        ...(draft.backoff_seconds ? { backoff_seconds: Number(draft.backoff_seconds) } : {}),
      };
      try {
        // The same checks and service as POST /api/v1/schedules.
        const row = await createScheduleFromRequest(c.env, { task: draft.task, cron: draft.cron ?? "", timezone: draft.timezone || "UTC", input, ...(Object.keys(retry).length > 0 ? { retry } : {}) });
        return c.redirect(`/schedules/${row.id}?created=1`, 303);
      } catch (error) {
        if (error instanceof ApiError && error.status === 400) return refuse(error.message);
        throw error;
      }
    }),
  );

  app.get(
    "/schedules/:id",
    page("read", async ({ c, frame, may }) => {
      const row = await scheduleOf(c, may);
      if (!row) return errorPage(c, 404, `No schedule ${c.req.param("id")}.`);
      const runs = await listRuns(openDb(c.env.DB), row.id, 50);
      const notice = c.req.query("created") ? "Schedule created." : c.req.query("changed") ? (row.enabled ? "Schedule enabled." : "Schedule disabled.") : undefined;
      return c.html(
        <SchedulePage
          frame={frame}
          row={row}
          preview={previewCron(row.cron, row.timezone)}
          runs={runs}
          can={{ change: may("deploy", row.taskName), run: may("execute", row.taskName) }}
          notice={notice ? { kind: "ok", text: notice } : undefined}
        />,
      );
    }),
  );

  app.post(
    "/schedules/:id/enabled",
    page("deploy", async ({ c, field, may }) => {
      const row = await scheduleOf(c, may);
      if (!row || !may("deploy", row.taskName)) return errorPage(c, 404, `No schedule ${c.req.param("id")} you may change.`);
      const db = openDb(c.env.DB);
      const found = await findTask(db, row.taskName);
      if (!found) return errorPage(c, 409, `Task ${row.taskName} no longer exists; deploy it again or delete this schedule.`);
      await accepted(() => changeSchedule(db, row, found.version, { enabled: field("enabled") === "true" }));
      return c.redirect(`/schedules/${row.id}?changed=1`, 303);
    }),
  );

  app.post(
    "/schedules/:id/run",
    page("execute", async (ctx) => {
      const { c, may } = ctx;
      const row = await scheduleOf(c, may);
      if (!row || !may("execute", row.taskName)) return errorPage(c, 404, `No schedule ${c.req.param("id")} you may run.`);
      const refused = await rateLimited(ctx);
      if (refused) return refused;
      // As POST /api/v1/schedules/{id}/trigger: the schedule's input, recorded as a scheduled run.
      const { result, answerable } = await invokeTask(c.env, c.executionCtx, row.taskName, row.input, { trigger: "schedule", scheduleId: row.id });
      await answerable;
      return c.redirect(`/executions/${result.executionId}`, 303);
    }),
  );
}
