import { TOOLSETS, type Toolset, type ToolDefinition } from "./tool.ts";

/** Every toolset but `deployed` is on by default: the guide lists them all. */
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter((set) => set !== "deployed");

export class ToolsetError extends Error {
  override name = "ToolsetError";
}

/** Reads `tasks,runs` (CLI `--toolsets`, `/mcp?toolsets=`); refuses a name that is not a toolset. */
export function parseToolsets(text: string): Toolset[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new ToolsetError(`no toolset named: pass one or more of ${TOOLSETS.join(",")}`);
  for (const name of names) {
    if (!(TOOLSETS as readonly string[]).includes(name)) throw new ToolsetError(`unknown toolset "${name}": the toolsets are ${TOOLSETS.join(", ")}`);
  }
  return [...new Set(names as Toolset[])];
}

/** The tools of the chosen toolsets; in read-only mode only those whose readOnlyHint is true. */
export function selectTools(tools: readonly ToolDefinition[], options: { toolsets?: readonly Toolset[]; readOnly?: boolean }): ToolDefinition[] {
  const sets = new Set(options.toolsets ?? DEFAULT_TOOLSETS);
  return tools.filter((tool) => sets.has(tool.toolset) && (!options.readOnly || tool.annotations.readOnlyHint));
}
