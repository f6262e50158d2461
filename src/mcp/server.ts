/**
 * The Ratchet MCP server: every tool of src/mcp/tools written once against the Workspace contract,
 * served by each host (stdio, local Streamable HTTP, the Worker's /mcp). Hosts build a fresh server
 * per connection (stdio) or per request (HTTP); nothing here holds state between calls.
 */
import { McpServer, type CallToolResult, type ServerContext, type StandardSchemaWithJSON, type jsonSchemaValidator } from "@modelcontextprotocol/server";
import pkg from "../../package.json" with { type: "json" };
import { WorkspaceError, type Workspace } from "../workspace/workspace.ts";
import { registerDeployedTasks, type DeployedTasks } from "./deployed.ts";
import { argumentErrorResult, toolErrorResult } from "./errors.ts";
import { callGuard, type CallGuard, type CallLimits } from "./limits.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { shapeResult } from "./result.ts";
import type { Toolset, ToolContext, ToolDefinition } from "./tool.ts";
import { ALL_TOOLS } from "./tools/index.ts";
import { toolScope } from "./tool-scopes.ts";
import { selectTools } from "./toolsets.ts";
import type { Scope } from "../platform/access/principal.ts";

export interface RatchetMcpServerOptions {
  workspace: Workspace;
  /** Default: every toolset but `deployed`. */
  toolsets?: readonly Toolset[];
  /** Only tools whose readOnlyHint is true. */
  readOnly?: boolean;
  /** More tools beside ALL_TOOLS, listed whatever the toolsets; the read-only filter applies to them too. */
  extraTools?: readonly ToolDefinition[];
  /** The Worker passes the @cfworker/json-schema validator (Ajv cannot compile in workerd). */
  jsonSchemaValidator?: jsonSchemaValidator;
  /** Told about errors that are not the agent's to fix (a host logs them on stderr); the agent gets a plain message. */
  onUnexpectedError?: (toolName: string, error: unknown) => void;
  /** mcp-config.yaml's request_timeout and rate_limit_per_minute, applied to every tool call. */
  limits?: CallLimits;
  /** The deployed tasks, each listed as `task_<name>` when `toolsets` has `deployed` (and not in read-only mode: running a task is not read-only). */
  deployed?: DeployedTasks;
  /** Whether the caller holds a scope (the Worker's principal); tools needing one it lacks are not listed. Default: all. */
  allows?: (scope: Scope) => boolean;
}

const INSTRUCTIONS =
  "Ratchet runs small JavaScript tasks (a folder: main.js, input/output JSON schemas, metadata.json, tests/) in a sandbox. " +
  "Read the resource ratchet://guide for how tasks are written; the prompt develop_task walks through building one. " +
  "Typical loop: ratchet_create_task, ratchet_validate_task_input, ratchet_execute_task, ratchet_get_execution_logs / _trace, " +
  "ratchet_analyze_execution_error, ratchet_update_task_code, ratchet_test_task, ratchet_deploy_task, ratchet_schedule_task.";

/**
 * The SDK validates arguments before the handler with a message of its own; the tool's zod schema is
 * still what tools/list advertises, but arguments reach our handler unchecked so that a bad one gets
 * our message (which argument, what it should be, what to do).
 */
function advertisedOnly(schema: ToolDefinition["input"]): StandardSchemaWithJSON {
  return { "~standard": { version: 1, vendor: "ratchet", validate: (value: unknown) => ({ value }), jsonSchema: schema["~standard"].jsonSchema } };
}

/**
 * Says which arguments a call gave that the tool does not take. The guide's calls carry options no
 * tool has (auto_backup, apply_suggested_fixes); refusing them would fail the guide's own examples,
 * and dropping them silently would let an agent believe they took effect.
 */
function withIgnoredArguments(result: CallToolResult, tool: ToolDefinition, args: unknown): CallToolResult {
  if (result.isError || typeof args !== "object" || args === null) return result;
  const known = Object.keys(tool.input.shape);
  const ignored = Object.keys(args).filter((name) => !known.includes(name));
  if (ignored.length === 0) return result;
  const note = `note: ${tool.name} ignored arguments it does not take: ${ignored.join(", ")}. It takes: ${known.join(", ")}.`;
  return { ...result, content: [...result.content, { type: "text", text: note }] };
}

function progressReporter(ctx: ServerContext): ToolContext["progress"] {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return async () => {};
  return async (done, total, message) => {
    await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress: done, total, ...(message ? { message } : {}) } });
  };
}

function registerTool(server: McpServer, tool: ToolDefinition, options: RatchetMcpServerOptions, guard: CallGuard): void {
  server.registerTool(
    tool.name,
    { title: tool.title, description: tool.description, inputSchema: advertisedOnly(tool.input), outputSchema: tool.output, annotations: { title: tool.title, ...tool.annotations } },
    async (raw: unknown, ctx: ServerContext): Promise<CallToolResult> => {
      const args = raw ?? {};
      const parsed = tool.input.safeParse(args);
      if (!parsed.success) return argumentErrorResult(tool.name, parsed.error, args);
      const progress = progressReporter(ctx);
      try {
        const result = await guard(tool.name, ctx.mcpReq.signal, async (signal) => shapeResult(tool.name, await tool.handler(parsed.data, { workspace: options.workspace, progress, signal })));
        return withIgnoredArguments(result, tool, args);
      } catch (error) {
        if (!(error instanceof WorkspaceError)) options.onUnexpectedError?.(tool.name, error);
        return toolErrorResult(tool.name, error);
      }
    },
  );
}

/**
 * The tools this server will list: the chosen toolsets' share of ALL_TOOLS, plus extraTools; read-only
 * mode keeps only read-only ones, and `allows` only those whose scope (tool-scopes.ts) the caller holds.
 */
export function toolsFor(options: Pick<RatchetMcpServerOptions, "toolsets" | "readOnly" | "extraTools" | "allows">): ToolDefinition[] {
  const extra = (options.extraTools ?? []).filter((tool) => !options.readOnly || tool.annotations.readOnlyHint);
  const allows = options.allows ?? (() => true);
  return [...selectTools(ALL_TOOLS, options), ...extra].filter((tool) => allows(toolScope(tool)));
}

export function createRatchetMcpServer(options: RatchetMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: "ratchet", title: "Ratchet", version: pkg.version },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {}, prompts: {} }, ...(options.jsonSchemaValidator ? { jsonSchemaValidator: options.jsonSchemaValidator } : {}) },
  );
  const guard = callGuard(options.limits);
  for (const tool of toolsFor(options)) registerTool(server, tool, options, guard);
  const runsDeployed = options.toolsets?.includes("deployed") && !options.readOnly && (options.allows?.("execute") ?? true);
  if (options.deployed && runsDeployed) registerDeployedTasks(server, options.deployed, guard, options.jsonSchemaValidator);
  registerResources(server, options.workspace);
  registerPrompts(server);
  return server;
}
