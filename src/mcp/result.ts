import type { CallToolResult } from "@modelcontextprotocol/server";
import { errorResult } from "./errors.ts";

/** ~20,000 tokens: Claude Code refuses a tool result over 25,000. */
export const MAX_RESULT_BYTES = 80_000;

/**
 * The handler's result as structuredContent plus one text block with the same JSON (for clients that
 * show only text). An answer over the bound is refused with how to ask for less, rather than cut
 * (a cut answer would no longer match the tool's output schema).
 */
export function shapeResult(toolName: string, value: Record<string, unknown>): CallToolResult {
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text).byteLength;
  if (bytes > MAX_RESULT_BYTES) {
    return errorResult(
      `too_large: the answer of ${toolName} is ${Math.ceil(bytes / 1024)} KB, over the ${MAX_RESULT_BYTES / 1000} KB an answer may carry.\n` +
        "hint: ask for less: pass a smaller `limit` (and `cursor` for the next page) or a narrower filter; " +
        "an execution's full record is the resource ratchet://executions/{id}, a task file ratchet://tasks/{name}/{file}.",
    );
  }
  return { content: [{ type: "text", text }], structuredContent: value };
}
