import { resolve } from "node:path";
import type { Engine } from "../../engine/index.ts";
import { deployedToolProblem, type DeployedTasks } from "../../mcp/deployed.ts";
import { deployedTasksFromApi } from "../../mcp/hosts/deployed-api.ts";
import { CallRateLimiter, type CallLimits } from "../../mcp/limits.ts";
import { startMcpHttp } from "../../mcp/hosts/http.ts";
import { serveMcpStdio } from "../../mcp/hosts/stdio.ts";
import { createRatchetMcpServer, toolsFor } from "../../mcp/server.ts";
import type { Toolset } from "../../mcp/tool.ts";
import { parseToolsets, ToolsetError } from "../../mcp/toolsets.ts";
import { DEFAULT_CONFIG, loadConfig } from "../../ops/config.ts";
import { addOwnHost, egressNotice } from "../../ops/egress.ts";
import { UsageError } from "../../ops/errors.ts";
import { ApiClient, ApiUnreachableError } from "../../ops/api-client.ts";
import type { CliIo } from "../../ops/io.ts";
import { loadMcpConfig, type McpConfig } from "../../ops/mcp-config.ts";
import { LocalWorkspace } from "../../ops/workspace/local-workspace.ts";
import { EXIT } from "../exit-codes.ts";

export interface McpServeOptions {
  transport?: string;
  host?: string;
  port?: string;
  tasksDir: string;
  url?: string;
  token?: string;
  toolsets?: string;
  readOnly?: boolean;
  /** The program's --config: the file's `mcp:` section configures this command, its execution/http sections the runs. */
  config?: string;
}

const TRANSPORTS = ["stdio", "http", "sse"] as const;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function portOf(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${text} is not a port number (0 to 65535; 0 picks a free one)`);
  return port;
}

function toolsetsOf(text: string | undefined): Toolset[] | undefined {
  if (text === undefined) return undefined;
  try {
    return parseToolsets(text);
  } catch (error) {
    if (error instanceof ToolsetError) throw new UsageError(`--toolsets: ${error.message}`);
    throw error;
  }
}

function limitsOf(mcp: McpConfig): CallLimits {
  return {
    ...(mcp.request_timeout !== undefined ? { callTimeoutMs: Math.round(mcp.request_timeout * 1000) } : {}),
    ...(mcp.rate_limit_per_minute !== undefined ? { rateLimiter: new CallRateLimiter(mcp.rate_limit_per_minute) } : {}),
  };
}

/** The deployed toolset: the Ratchet's enabled tasks, read once at start; without a Ratchet there, none (said on stderr). */
async function loadDeployed(url: string, token: string | undefined, io: CliIo): Promise<DeployedTasks | undefined> {
  try {
    const deployed = await deployedTasksFromApi(new ApiClient({ url, token }));
    for (const task of deployed.tasks) {
      const problem = deployedToolProblem(task);
      if (problem !== undefined) io.err(`ratchet mcp: deployed task ${task.name} is not listed as a tool: ${problem}`);
    }
    io.err(`ratchet mcp: deployed toolset: ${deployed.tasks.length} tasks from ${url} (read at start: restart to see new deployments)`);
    return deployed;
  } catch (error) {
    if (!(error instanceof ApiUnreachableError)) throw error;
    io.err(`ratchet mcp: deployed toolset: nothing answers at ${url}; serving without deployed tasks (start ratchet serve, or pass --url)`);
    return undefined;
  }
}

const untilSignal = () =>
  new Promise<NodeJS.Signals>((done) => {
    for (const signal of SIGNALS) process.once(signal, () => done(signal));
  });

/**
 * `ratchet mcp-serve`: the MCP tools on the task folders under --tasks-dir, over stdio (stdout is
 * JSON-RPC only; everything else goes to stderr) or Streamable HTTP on this machine.
 */
export async function mcpServeCommand(options: McpServeOptions, engine: Engine, io: CliIo): Promise<number> {
  const mcp: McpConfig = options.config === undefined ? {} : await loadMcpConfig(options.config);
  if (mcp.enabled === false) throw new UsageError(`mcp.enabled is false in ${options.config}: set it to true (or leave it out) to serve MCP`);
  const transport = options.transport ?? mcp.transport ?? "stdio";
  if (!(TRANSPORTS as readonly string[]).includes(transport)) throw new UsageError(`--transport ${transport}: use stdio, http or sse`);
  const toolsets = toolsetsOf(options.toolsets);
  const readOnly = options.readOnly ?? false;
  const token = options.token ?? process.env.RATCHET_API_TOKEN;
  const workspace = new LocalWorkspace({ tasksDir: resolve(options.tasksDir), engine, config: options.config === undefined ? DEFAULT_CONFIG : await loadConfig(options.config, io.err, ["mcp"]), url: options.url, token });
  const deployed = toolsets?.includes("deployed") && !readOnly ? await loadDeployed(workspace.url, token, io) : undefined;
  const limits = limitsOf(mcp);
  const onUnexpectedError = (tool: string, error: unknown) => io.err(`ratchet mcp: ${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const factory = () => createRatchetMcpServer({ workspace, toolsets, readOnly, limits, onUnexpectedError, deployed });
  const onError = (error: Error) => io.err(`ratchet mcp: ${error.message}`);
  const count = toolsFor({ toolsets, readOnly }).length + (deployed?.tasks.filter((task) => deployedToolProblem(task) === undefined).length ?? 0);
  const about = `${count} tools${readOnly ? " (read-only)" : ""} on the tasks in ${workspace.tasksDir}; deploy and schedules go to ${workspace.url}`;

  if (transport === "stdio") {
    if (mcp.max_connections !== undefined) io.err("ratchet mcp: note: mcp.max_connections does not apply to stdio (one client per process)");
    io.err(`ratchet mcp (stdio): ${about}`);
    io.err(egressNotice());
    await serveMcpStdio(factory, onError);
    return EXIT.ok;
  }
  if (transport === "sse") io.err("ratchet mcp: --transport sse means Streamable HTTP (it replaced the older HTTP+SSE transport); clients connect to the URL below");
  const host = options.host ?? mcp.host ?? "127.0.0.1";
  const port = portOf(options.port ?? String(mcp.port ?? 3001));
  const server = await startMcpHttp({ factory, host, port, maxConnections: mcp.max_connections, onError }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new UsageError(`--port ${port}: something listens there already on ${host}; pass another port (0 picks a free one)`);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") throw new UsageError(`--host ${host}: not an address of this machine`);
    throw error;
  });
  addOwnHost(new URL(server.url).host);
  io.err(`ratchet mcp (Streamable HTTP): ${server.url}: ${about}`);
  io.err(egressNotice());
  const signal = await untilSignal();
  io.err(`ratchet mcp: ${signal}: stopping`);
  await server.close();
  return EXIT.ok;
}
