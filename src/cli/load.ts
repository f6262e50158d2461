import { formatProblem, type Engine, type TaskBundle } from "../engine/index.ts";
import { readTaskFolder } from "./task-folder.ts";

/** The task folder is not a valid task; its problems were printed. Exits with EXIT.usage. */
export class InvalidTaskError extends Error {
  override name = "InvalidTaskError";
}

/** Loads and validates a task folder, printing every problem; throws InvalidTaskError when it is not valid. */
export async function loadTask(engine: Engine, dir: string, print: (line: string) => void): Promise<TaskBundle> {
  const checked = await engine.loadFiles(await readTaskFolder(dir));
  const problems = checked.ok ? checked.warnings : checked.problems;
  for (const problem of problems) print(formatProblem(problem));
  if (!checked.ok) {
    const count = problems.filter((p) => p.severity === "error").length;
    throw new InvalidTaskError(`${dir}: ${count} problem${count === 1 ? "" : "s"}; the task is not valid`);
  }
  return checked.bundle;
}
