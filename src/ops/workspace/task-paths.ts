import { realpath, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isTaskName, TASK_FILES, TASK_NAME_RULE } from "../../engine/index.ts";
import { WorkspaceError } from "../../workspace/workspace.ts";

/** Where Ratchet keeps its own files inside a tasks folder (history, backups, scratch space). */
export const RATCHET_DIR = ".ratchet";

export interface TaskLocation {
  /** The folder's name, which is the task's name. */
  name: string;
  /** Absolute path of the task folder. */
  dir: string;
}

/**
 * The guard between a caller's `task_id_or_path` and the disk: every task is a folder directly
 * under the tasks folder, reached by its name or by a path that resolves (symlinks followed) there.
 */
export class TaskPaths {
  /** Absolute path of the tasks folder. */
  readonly tasksDir: string;

  constructor(tasksDir: string) {
    this.tasksDir = resolve(tasksDir);
  }

  get ratchetDir(): string {
    return join(this.tasksDir, RATCHET_DIR);
  }

  /** The folder a new task named `name` goes to; bad_request when the name breaks the rule. */
  forName(name: string): TaskLocation {
    if (typeof name !== "string" || !isTaskName(name)) {
      throw new WorkspaceError("bad_request", `"${name}" is not a valid task name: ${TASK_NAME_RULE}`, { hint: 'Use a name such as "weather-report".' });
    }
    return { name, dir: join(this.tasksDir, name) };
  }

  /** An existing task folder from a task name or a folder path; bad_request when it lies outside the tasks folder, not_found when there is no task. */
  async resolve(ref: string): Promise<TaskLocation> {
    if (typeof ref !== "string" || ref.trim() === "") throw new WorkspaceError("bad_request", "task_id_or_path is empty", { hint: `Give a task name under ${this.tasksDir} or the path of its folder.` });
    const wanted = isTaskName(ref) ? join(this.tasksDir, ref) : resolve(ref);
    const root = await realpath(this.tasksDir).catch(() => this.tasksDir);
    const real = await realpath(wanted).catch(() => undefined);
    // An existing folder is judged where it really is (a symlink out is outside); a missing one by its path.
    const where = real ?? wanted;
    const parent = dirname(where);
    if (parent !== root && (real !== undefined || parent !== this.tasksDir)) {
      throw new WorkspaceError("bad_request", `${ref} is not a task folder directly inside the tasks folder ${this.tasksDir}`, {
        hint: `Give a task name (a folder under ${this.tasksDir}) or the path of such a folder; paths outside the tasks folder are refused.`,
      });
    }
    const name = basename(where);
    if (!real || !isTaskName(name) || !(await stat(join(real, TASK_FILES.metadata)).catch(() => undefined))) {
      throw new WorkspaceError("not_found", `No task ${ref} in ${this.tasksDir}`, { hint: "List the tasks to see their names, or create one." });
    }
    return { name, dir: join(this.tasksDir, name) };
  }

  /** Whether a folder for `name` exists (a task or not). */
  async exists(location: TaskLocation): Promise<boolean> {
    return (await stat(location.dir).catch(() => undefined)) !== undefined;
  }
}
