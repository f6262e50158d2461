import { TASK_FILES, type TaskFiles } from "../engine/index.ts";
import { WorkspaceError } from "../workspace/workspace.ts";

/** Helpers for tools that edit a task's files as text (no file system: the workspace reads and writes). */

const TOP_LEVEL = [TASK_FILES.metadata, TASK_FILES.code, TASK_FILES.inputSchema, TASK_FILES.outputSchema] as const;
const FILE_LIST = `${TOP_LEVEL.join(", ")} or ${TASK_FILES.testsDir}/NAME.json`;

/**
 * A path inside a task folder, as the workspace keys its files. Anything that could reach
 * outside the folder, or is not one of the files a task is made of, is refused.
 */
export function taskFilePath(path: string): string {
  const cleaned = path.trim().replaceAll("\\", "/").replace(/^(\.\/)+/, "");
  const segments = cleaned.split("/");
  if (cleaned.startsWith("/") || /^[a-zA-Z]:/.test(cleaned) || segments.includes("..")) {
    throw new WorkspaceError("bad_request", `"${path}" is outside the task folder`, { hint: `Give a path relative to the task folder: ${FILE_LIST}.` });
  }
  const isTest = segments.length === 2 && segments[0] === TASK_FILES.testsDir && /^[^/]+\.json$/.test(segments[1]!) && segments[1] !== ".json";
  if (!isTest && !(TOP_LEVEL as readonly string[]).includes(cleaned)) {
    throw new WorkspaceError("bad_request", `"${path}" is not a task file`, { hint: `A task is made of ${FILE_LIST}; ratchet_list_task_files lists what this one has.` });
  }
  return cleaned;
}

/** JSON as task files hold it: two-space indents and a final newline. */
export const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** A file name part from a free text: "Missing required: name" becomes "missing-required-name". */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return s || "test";
}

/** The test files of a task, in order. */
export const testFiles = (files: TaskFiles): string[] =>
  Object.keys(files)
    .filter((path) => path.startsWith(`${TASK_FILES.testsDir}/`) && path.endsWith(".json"))
    .sort();

/** A human label from a task name: "my-api_task" becomes "My Api Task". */
export function labelFromName(name: string): string {
  const base = name.replaceAll("\\", "/").split("/").filter(Boolean).pop() ?? name;
  const label = base
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
  return label || name;
}

/** A JSON object parsed from a task file; a refusal naming the file when it is not one. */
export function parseJsonObject(file: string, text: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch (error) {
    throw new WorkspaceError("invalid", `${file} is not valid JSON (${(error as Error).message})`, { hint: `Fix it first with ratchet_write_task_file (path "${file}").` });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WorkspaceError("invalid", `${file} ${text === undefined ? "is missing" : "does not hold a JSON object"}`, { hint: `Write it with ratchet_write_task_file (path "${file}").` });
  }
  return value as Record<string, unknown>;
}
