import { createMcpHandler } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import type { Context, Hono } from "hono";
import { createRatchetMcpServer } from "../../mcp/server.ts";
import type { Toolset } from "../../mcp/tool.ts";
import { parseToolsets, ToolsetError } from "../../mcp/toolsets.ts";
import { deployedTasksOnPlatform } from "../../platform/workspace/deployed-tasks.ts";
import { PlatformWorkspace } from "../../platform/workspace/platform-workspace.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { bundledTasks } from "../middleware/bundled-tasks.ts";
import { authenticate } from "../middleware/auth.ts";
import { requireScope, requireUnlimited } from "../middleware/scope.ts";
import { hasScope, type Scope } from "../../platform/access/principal.ts";
import { limitRate } from "../middleware/rate-limit.ts";

export const MCP_PATH = "/mcp";

/** Ajv cannot compile in workerd (no code from strings); this validator interprets schemas. */
const validator = new CfWorkerJsonSchemaValidator();

interface McpOptions {
  toolsets?: Toolset[];
  readOnly: boolean;
}

/** `?toolsets=tasks,runs&read_only=1`; a refusal names what was wrong. */
function optionsOf(c: Context<AppEnv>): McpOptions | string {
  const readOnly = c.req.query("read_only");
  if (readOnly !== undefined && !["1", "true", "0", "false"].includes(readOnly)) return `read_only=${readOnly}: use read_only=1 (only tools that change nothing) or leave it out`;
  const toolsets = c.req.query("toolsets");
  try {
    return { ...(toolsets === undefined ? {} : { toolsets: parseToolsets(toolsets) }), readOnly: readOnly === "1" || readOnly === "true" };
  } catch (error) {
    if (error instanceof ToolsetError) return `toolsets: ${error.message}`;
    throw error;
  }
}

/**
 * The MCP server on the platform's deployed tasks, over Streamable HTTP (both protocol eras), behind
 * the API's bearer token. It lists only the tools the principal's scopes allow (mcp/tool-scopes.ts);
 * a task-limited token is refused (403): the tools take task names in many shapes, so limiting them is
 * not done yet. A fresh server per request, never shared: each gets this request's bindings and
 * nothing of another client's.
 */
export function mcpRoutes(app: Hono<AppEnv>): void {
  app.use(MCP_PATH, authenticate, requireUnlimited("use /mcp"), requireScope("read"), limitRate, bundledTasks);
  app.all(MCP_PATH, async (c) => {
    const principal = c.get("principal");
    const allows = (scope: Scope) => hasScope(principal, scope);
    const options = optionsOf(c);
    if (typeof options === "string") return c.json({ jsonrpc: "2.0", error: { code: -32602, message: options }, id: null }, 400);
    const deployed = options.toolsets?.includes("deployed") && !options.readOnly && allows("execute") ? await deployedTasksOnPlatform(c.env, c.executionCtx) : undefined;
    const handler = createMcpHandler(
      () =>
        createRatchetMcpServer({
          workspace: new PlatformWorkspace(c.env, c.executionCtx),
          ...options,
          ...(deployed ? { deployed } : {}),
          jsonSchemaValidator: validator,
          allows,
          onUnexpectedError: (tool, error) => console.error(`mcp tool ${tool} failed`, error),
        }),
      { onerror: (error) => console.error("mcp request failed", error) },
    );
    return handler.fetch(c.req.raw);
  });
}
