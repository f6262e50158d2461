import type { Context, Hono } from "hono";
import { canTouchTask } from "../../platform/access/principal.ts";
import { TRIGGERS } from "../../engine/index.ts";
import { getExecution, listExecutions } from "../../store/executions.ts";
import { openDb } from "../../store/tasks.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { ApiError } from "../errors.ts";
import { limitParam } from "../../http/request.ts";
import { schemaRef } from "../openapi/schemas.ts";
import { resource } from "../resource.ts";
import { executionSummaryView, executionView } from "../../platform/views.ts";

const STATUSES = ["completed", "failed"];

function encodeCursor(id: string): string {
  return btoa(JSON.stringify([id])).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The id a page ends at; cursors given out before ids alone ordered the list were [startedAt, id]. */
function decodeCursor(cursor: string): string {
  try {
    const parts = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/"))) as unknown;
    const id = Array.isArray(parts) ? parts.at(-1) : undefined;
    if (typeof id === "string") return id;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(400, "invalid_query", "cursor is not one this API gave out");
}

function oneOf(c: Context, name: string, allowed: readonly string[]): string | undefined {
  const value = c.req.query(name);
  if (value !== undefined && !allowed.includes(value)) throw new ApiError(400, "invalid_query", `${name} must be one of ${allowed.join(", ")}`);
  return value;
}

function isoTime(c: Context, name: string): string | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new ApiError(400, "invalid_query", `${name} must be an ISO-8601 time, such as 2026-01-31T12:00:00Z`);
  return new Date(time).toISOString();
}

const executionList = {
  type: "object",
  required: ["executions", "next_cursor"],
  properties: { executions: { type: "array", items: schemaRef("ExecutionSummary") }, next_cursor: { type: ["string", "null"] } },
};

export function executionRoutes(app: Hono<AppEnv>): void {
  resource(app, "/executions", {
    GET: {
      scope: "read",
      doc: {
        tag: "executions",
        summary: "List executions",
        description: "Newest first; a task-limited token sees only its tasks' executions.",
        query: {
          task: { description: "Only this task's executions" },
          status: { description: "completed or failed", schema: { enum: STATUSES } },
          trigger: { description: "How they were started", schema: { enum: TRIGGERS } },
          since: { description: "Started at or after this ISO-8601 time", schema: { type: "string", format: "date-time" } },
          until: { description: "Started before this ISO-8601 time", schema: { type: "string", format: "date-time" } },
          cursor: { description: "next_cursor of the previous page" },
          limit: { description: "Page size, 1 to 200 (default 50)", schema: { type: "integer", minimum: 1, maximum: 200 } },
        },
        responses: {
          200: { description: "A page of executions", schema: executionList },
          400: { description: "invalid_query: a filter, the cursor or the limit is malformed" },
        },
      },
      handler: async (c) => {
        const limit = limitParam(c, 50, 200);
        const cursor = c.req.query("cursor");
        const rows = await listExecutions(openDb(c.env.DB), {
          task: c.req.query("task"),
          status: oneOf(c, "status", STATUSES),
          trigger: oneOf(c, "trigger", TRIGGERS),
          since: isoTime(c, "since"),
          until: isoTime(c, "until"),
          limit: limit + 1,
          before: cursor === undefined ? undefined : decodeCursor(cursor),
          tasks: c.get("principal").tasks,
        });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return c.json({ executions: page.map(executionSummaryView), next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null });
      },
    },
  });

  resource(app, "/executions/:id", {
    GET: {
      scope: "read",
      doc: {
        tag: "executions",
        summary: "Get an execution",
        description: "Everything recorded: input, output or error, logs, HTTP calls, timings.",
        params: { id: { description: "The execution id (X-Ratchet-Execution-Id of its answer)" } },
        responses: { 200: { description: "The execution", schema: "Execution" }, 404: { description: "not_found: no execution by that id (or one of a task the token may not touch)" } },
      },
      handler: async (c) => {
        const id = c.req.param("id") ?? "";
        const row = await getExecution(openDb(c.env.DB), c.env.BUNDLES, id);
        // Another task's execution reads as absent to a task-limited token: a 403 would confirm it exists.
        if (!row || !canTouchTask(c.get("principal"), row.taskName)) throw new ApiError(404, "not_found", `No execution ${id}`);
        return c.json(executionView(row));
      },
    },
  });
}
