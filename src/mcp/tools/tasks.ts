import type { ToolDefinition } from "../tool.ts";

export const taskTools: ToolDefinition[] = [];
