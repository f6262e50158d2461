import type { ToolDefinition } from "../tool.ts";

export const observeTools: ToolDefinition[] = [];
