import type { CallToolResult } from "@modelcontextprotocol/server";
import type { z } from "zod";
import { formatProblem } from "../engine/index.ts";
import { WorkspaceError } from "../workspace/workspace.ts";

/** A tool's refusal as the agent sees it: `isError` with one text block saying what was wrong and what to do. */
export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }] };
}

/** WorkspaceError: its message, hint and every problem, one per line. */
export function workspaceErrorResult(error: WorkspaceError): CallToolResult {
  const lines = [`${error.code}: ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (error.problems?.length) lines.push(`problems (${error.problems.length}):`, ...error.problems.map((problem) => `- ${formatProblem(problem)}`));
  return errorResult(lines.join("\n"));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) at = at !== null && typeof at === "object" ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function describeIssue(issue: z.core.$ZodIssue, args: unknown): string {
  const where = issue.path.length === 0 ? "arguments" : `argument \`${issue.path.map(String).join(".")}\``;
  if (issue.code === "invalid_type" && valueAt(args, issue.path) === undefined) return `${where} is missing: expected ${issue.expected}`;
  if (issue.code === "unrecognized_keys") return `${where}: unknown argument(s) ${issue.keys.map((key) => `\`${key}\``).join(", ")}`;
  return `${where}: ${issue.message}`;
}

/** Bad arguments: each one named with what it should be, and where to look. */
export function argumentErrorResult(toolName: string, error: z.ZodError, args: unknown): CallToolResult {
  const lines = [`bad_request: invalid arguments for ${toolName}:`, ...error.issues.map((issue) => `- ${describeIssue(issue, args)}`)];
  lines.push(`hint: call ${toolName} again with arguments matching its input schema (tools/list shows it, with an example in the description).`);
  return errorResult(lines.join("\n"));
}

/** Anything else: a plain message, never a stack from this host. */
export function unexpectedErrorResult(toolName: string, error: unknown): CallToolResult {
  const message = error instanceof Error ? error.message : String(error);
  return errorResult(`internal: ${toolName} failed: ${message}\nhint: the call may be retried; if it fails again, report it with the arguments used.`);
}

export function toolErrorResult(toolName: string, error: unknown): CallToolResult {
  return error instanceof WorkspaceError ? workspaceErrorResult(error) : unexpectedErrorResult(toolName, error);
}
