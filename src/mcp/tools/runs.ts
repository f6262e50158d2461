import type { ToolDefinition } from "../tool.ts";

export const runTools: ToolDefinition[] = [];
