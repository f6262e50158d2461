/** @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { TRIGGERS } from "../../engine/index.ts";
import { diagnoseExecution } from "../../analysis/diagnose.ts";
import { PlatformWorkspace } from "../../platform/workspace/platform-workspace.ts";
import { getExecution, listExecutions } from "../../store/executions.ts";
import { listTasks, openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { errorPage, page } from "../dashboard.tsx";
import { ExecutionPage, type Diagnosis } from "../pages/execution.tsx";
import { HistoryPage, HistoryRows, type HistoryFilter } from "../pages/history.tsx";
import type { Principal } from "../../platform/access/principal.ts";

const PAGE_SIZE = 50;

/** A datetime-local value (no zone: read as UTC) or an ISO time; undefined when empty or unreadable. */
function time(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function filterOf(c: Context): HistoryFilter {
  const pick = (name: string, allowed: readonly string[]) => {
    const value = c.req.query(name);
    return value && allowed.includes(value) ? value : undefined;
  };
  return { task: c.req.query("task") || undefined, status: pick("status", ["completed", "failed"]), trigger: pick("trigger", TRIGGERS), since: time(c.req.query("since")), until: time(c.req.query("until")) };
}

/** The newest executions matching the filter that the principal may see. */
async function historyRows(c: Context<AppEnv>, principal: Principal, filter: HistoryFilter) {
  return listExecutions(openDb(c.env.DB), { ...filter, tasks: principal.tasks, limit: PAGE_SIZE });
}

/** The diagnosis ratchet_analyze_execution_error gives, from the same operation on this platform's workspace. */
async function diagnose(c: Context<AppEnv>, id: string): Promise<Diagnosis> {
  return diagnoseExecution(new PlatformWorkspace(c.env, c.executionCtx), id, { includeSuggestions: false });
}

export function executionRoutes(app: Hono<AppEnv>): void {
  app.get(
    "/history",
    page("read", async ({ c, frame, principal }) => {
      const filter = filterOf(c);
      const [runs, tasks] = await Promise.all([historyRows(c, principal, filter), listTasks(openDb(c.env.DB), { limit: 200 })]);
      const names = tasks.map((t) => t.task.name).filter((name) => principal.tasks === null || principal.tasks.includes(name));
      return c.html(<HistoryPage frame={frame} filter={filter} tasks={names} runs={runs} />);
    }),
  );

  app.get(
    "/history/rows",
    page("read", async ({ c, principal }) => c.html(<HistoryRows runs={await historyRows(c, principal, filterOf(c))} />)),
  );

  app.get(
    "/executions/:id",
    page("read", async ({ c, frame, may }) => {
      const id = c.req.param("id") ?? "";
      const row = await getExecution(openDb(c.env.DB), c.env.BUNDLES, id);
      if (!row || !may("read", row.taskName)) return errorPage(c, 404, `No execution ${id}.`);
      const diagnosis = row.status === "failed" && row.error ? await diagnose(c, id).catch((error: unknown) => (console.error("diagnosis failed", error), null)) : null;
      return c.html(<ExecutionPage frame={frame} row={row} diagnosis={diagnosis} canRun={may("execute", row.taskName)} />);
    }),
  );
}
