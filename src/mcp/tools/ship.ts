import type { ToolDefinition } from "../tool.ts";

export const shipTools: ToolDefinition[] = [];
