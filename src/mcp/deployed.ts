/**
 * The `deployed` toolset: each enabled deployed task as its own tool `task_<name>`, whose input and
 * output schemas are the task's own and whose description is its metadata's; calling it runs the
 * task. Host-neutral: the Worker's /mcp gives tasks from D1 and runs them in place, the local hosts
 * (stdio, HTTP with --url) through a Ratchet's API.
 */
import { fromJsonSchema, type CallToolResult, type JsonSchemaType, type McpServer, type jsonSchemaValidator } from "@modelcontextprotocol/server";
import { errorResult, toolErrorResult } from "./errors.ts";
import type { CallGuard } from "./limits.ts";
import { shapeResult } from "./result.ts";

export interface DeployedTask {
  name: string;
  label?: string;
  description?: string;
  input_schema: unknown;
  output_schema: unknown;
}

/** One run of a deployed task, as recorded by the platform. */
export interface DeployedRun {
  execution_id: string | null;
  status: "completed" | "failed";
  output?: unknown;
  error?: { type: string; message: string } | null;
}

export interface DeployedTasks {
  tasks: readonly DeployedTask[];
  run(name: string, input: unknown, signal: AbortSignal): Promise<DeployedRun>;
}

/** Cursor prefixes the server's name to each tool's; longer names cost some clients the tool. */
const MAX_TOOL_NAME = 40;

/** FNV-1a (32 bits) as 8 hex digits: a suffix that is the same for a task name on every host. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

const withHash = (name: string, key: string) => `${name.slice(0, MAX_TOOL_NAME - 9)}_${shortHash(key)}`;

/** `task_<name>` with the characters some clients refuse (`.`, and `-` for one spelling) as `_`; past 40 characters, cut with a hash of the task name. */
export function deployedToolName(task: string): string {
  const name = `task_${task.replace(/[^a-zA-Z0-9_]/g, "_")}`;
  return name.length <= MAX_TOOL_NAME ? name : withHash(name, task);
}

/** Each task's tool name: deployedToolName, except that where two tasks would share one (a.b and a-b) the later by task name gets a hash suffix. */
export function deployedToolNames(tasks: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const task of [...tasks].sort()) {
    let name = deployedToolName(task);
    for (let attempt = 0; taken.has(name); attempt++) name = withHash(deployedToolName(task), attempt === 0 ? task : `${task}#${attempt}`);
    taken.add(name);
    names.set(task, name);
  }
  return names;
}

const isObjectSchema = (schema: unknown): schema is JsonSchemaType =>
  typeof schema === "object" && schema !== null && ((schema as { type?: unknown }).type === "object" || (schema as { type?: unknown }).type === undefined);

const hasObjectOutput = (task: DeployedTask) => typeof task.output_schema === "object" && task.output_schema !== null && (task.output_schema as { type?: unknown }).type === "object";

/** Why a task cannot be a tool (MCP tools take an object of arguments), or undefined when it can. */
export function deployedToolProblem(task: DeployedTask): string | undefined {
  if (!isObjectSchema(task.input_schema)) return "its input schema does not describe an object (MCP tool arguments are one)";
  return undefined;
}

function describe(task: DeployedTask): string {
  const what = task.description?.trim() || task.label || task.name;
  return `${what} Runs the deployed task ${task.name} with these arguments as its input and answers its output (checked against its output schema); a failure answers the error type and message with the execution id, which ratchet_analyze_execution_error explains. Arguments: the task's input, as its input schema describes it.`;
}

function failure(task: string, run: DeployedRun): CallToolResult {
  const error = run.error ?? { type: "Error", message: "the run failed" };
  const id = run.execution_id ? `\nexecution_id: ${run.execution_id}\nhint: ratchet_analyze_execution_error {"execution_id": "${run.execution_id}"} names the failing line and the fix.` : "";
  return errorResult(`task_failed: ${task}: ${error.type}: ${error.message}${id}`);
}

/** Registers a tool per deployed task that can be one (deployedToolProblem says why the others cannot). */
export function registerDeployedTasks(server: McpServer, deployed: DeployedTasks, guard: CallGuard, validator?: jsonSchemaValidator): void {
  const tasks = deployed.tasks.filter((task) => deployedToolProblem(task) === undefined);
  const names = deployedToolNames(tasks.map((task) => task.name));
  for (const task of tasks) {
    const toolName = names.get(task.name)!;
    server.registerTool(
      toolName,
      {
        title: task.label ?? task.name,
        description: describe(task),
        inputSchema: fromJsonSchema(task.input_schema as JsonSchemaType, validator),
        // structuredContent is an object: an output schema is advertised only when the output is one.
        ...(hasObjectOutput(task) ? { outputSchema: fromJsonSchema(task.output_schema as JsonSchemaType, validator) } : {}),
        annotations: { title: task.label ?? task.name, readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      },
      async (args: unknown, ctx): Promise<CallToolResult> => {
        try {
          return await guard(toolName, ctx.mcpReq.signal, async (signal) => {
            const run = await deployed.run(task.name, args ?? {}, signal);
            if (run.status === "failed") return failure(task.name, run);
            const output = run.output;
            if (hasObjectOutput(task) || (typeof output === "object" && output !== null && !Array.isArray(output))) return shapeResult(toolName, output as Record<string, unknown>);
            return { content: [{ type: "text", text: JSON.stringify(output) }] };
          });
        } catch (error) {
          return toolErrorResult(toolName, error);
        }
      },
    );
  }
}
