import type { ToolDefinition } from "../tool.ts";
import { analyzeTools } from "./observe-analyze.ts";
import { historyTools } from "./observe-history.ts";
import { loadTools } from "./observe-load.ts";

export const observeTools: ToolDefinition[] = [...historyTools, ...analyzeTools, ...loadTools];
