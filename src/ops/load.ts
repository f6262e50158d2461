import { stat } from "node:fs/promises";
import { formatProblem, type CheckResult, type Engine, type TaskBundle } from "../engine/index.ts";
import { readTaskFolder } from "./task-folder.ts";

/** The task folder is missing or not a valid task; its problems were printed. Exits with EXIT.usage. */
export class InvalidTaskError extends Error {
  override name = "InvalidTaskError";
}

/** Reads and checks a task folder; InvalidTaskError when there is no folder to read. */
export async function checkTaskFolder(engine: Engine, dir: string): Promise<CheckResult> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new InvalidTaskError(`${dir}: no such folder; give the path of a task folder (the one holding metadata.json and main.js)`);
  if (!info.isDirectory()) throw new InvalidTaskError(`${dir} is a file, not a task folder; give the folder holding metadata.json and main.js`);
  return engine.loadFiles(await readTaskFolder(dir));
}

/** How many errors, for the one-line verdict on an invalid task. */
export function invalidTaskMessage(dir: string, problems: { severity: string }[]): string {
  const count = problems.filter((p) => p.severity === "error").length;
  return `${dir} is not a valid task: ${count} error${count === 1 ? "" : "s"} (listed above); fix them and run \`ratchet validate ${dir}\` again`;
}

/** Loads and validates a task folder, printing every problem and warning; throws InvalidTaskError when it is not valid. */
export async function loadTask(engine: Engine, dir: string, print: (line: string) => void): Promise<TaskBundle> {
  const checked = await checkTaskFolder(engine, dir);
  const problems = checked.ok ? checked.warnings : checked.problems;
  for (const problem of problems) print(formatProblem(problem));
  if (!checked.ok) throw new InvalidTaskError(invalidTaskMessage(dir, problems));
  return checked.bundle;
}
