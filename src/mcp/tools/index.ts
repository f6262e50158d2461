import type { ToolDefinition } from "../tool.ts";
import { observeTools } from "./observe.ts";
import { runTools } from "./runs.ts";
import { shipTools } from "./ship.ts";
import { taskTools } from "./tasks.ts";
import { testTools } from "./tests.ts";

/** Every tool, by domain; the server registers those of the toolsets asked for. */
export const ALL_TOOLS: readonly ToolDefinition[] = [...taskTools, ...runTools, ...testTools, ...observeTools, ...shipTools];
