import type { z } from "zod";
import type { Workspace } from "../workspace/workspace.ts";

/** The toolsets an agent can switch on (`--toolsets`, `/mcp?toolsets=`); `deployed` adds each deployed task as its own tool. */
export const TOOLSETS = ["tasks", "runs", "tests", "observe", "ship", "deployed"] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** What a tool call gets besides its arguments. */
export interface ToolContext {
  workspace: Workspace;
  /** Reports progress of a long call (batch runs, test suites) to a client that asked for it. */
  progress(done: number, total: number, message?: string): Promise<void>;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
}

/**
 * One MCP tool, written once and served by every host (stdio, local Streamable HTTP, the Worker's
 * /mcp). Its arguments and result are checked at run time by the same zod schemas that type them.
 */
export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  /** `ratchet_<verb>`, snake_case, at most 40 characters. */
  name: string;
  title: string;
  /** What it does, when to use it, what it returns, and one example call. */
  description: string;
  toolset: Exclude<Toolset, "deployed">;
  input: Input;
  output: Output;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  handler(args: z.infer<Input>, context: ToolContext): Promise<z.infer<Output>>;
}

/** Keeps a tool's argument and result types tied to its schemas. */
export const defineTool = <Input extends z.ZodObject, Output extends z.ZodObject>(tool: ToolDefinition<Input, Output>): ToolDefinition<Input, Output> => tool;
