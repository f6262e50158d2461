import type { ToolDefinition } from "../tool.ts";

export const testTools: ToolDefinition[] = [];
