import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { v7 as uuidv7 } from "uuid";
import { TASK_FILES, type TaskFiles } from "../../engine/index.ts";
import { WorkspaceError } from "../../workspace/workspace.ts";

/** The paths a task folder's files may have: the four task files and tests/NAME.json. */
const TASK_FILE = new RegExp(`^(?:${[TASK_FILES.metadata, TASK_FILES.code, TASK_FILES.inputSchema, TASK_FILES.outputSchema].map((f) => f.replaceAll(".", "\\.")).join("|")}|${TASK_FILES.testsDir}/[^/\\\\]+\\.json)$`);

const isTaskFile = (path: string) => TASK_FILE.test(path) && !path.includes("..");

/** Refuses file maps naming anything but task files, so nothing is written outside the task folder. */
export function checkFilePaths(files: TaskFiles): void {
  if (typeof files !== "object" || files === null || Array.isArray(files)) throw new WorkspaceError("bad_request", "files must be an object mapping file paths to their text");
  const wrong = Object.entries(files).filter(([path, text]) => !isTaskFile(path) || typeof text !== "string");
  if (wrong.length > 0) {
    throw new WorkspaceError("bad_request", `Not task files: ${wrong.map(([path]) => JSON.stringify(path)).join(", ")}`, {
      hint: "A task's files are metadata.json, main.js, input.schema.json, output.schema.json and tests/NAME.json, each given as text.",
    });
  }
}

/** Writes a file whole or not at all: a temporary file beside it renamed over it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${uuidv7()}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Makes `dir` hold exactly `files` as its task files: the new folder is built in `scratch` (a copy
 * of the current one, so files that are not task files stay), then swapped in with two renames,
 * so the folder is at every moment either the old one or the new one. Without `current` (the
 * files now there) the folder is new: `exists` when one appeared meanwhile.
 */
export async function writeTaskFolder(scratch: string, dir: string, files: TaskFiles, options: { current?: TaskFiles } = {}): Promise<void> {
  await mkdir(scratch, { recursive: true });
  const staging = join(scratch, `new-${uuidv7()}`);
  const old = join(scratch, `old-${uuidv7()}`);
  try {
    if (options.current) {
      await cp(dir, staging, { recursive: true, verbatimSymlinks: true });
      for (const path of Object.keys(options.current).filter((path) => !(path in files))) await rm(join(staging, path), { force: true });
    } else {
      await mkdir(staging);
    }
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), text);
    }
    if (!options.current) {
      await mkdir(dirname(dir), { recursive: true });
      await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST" || error.code === "ENOTEMPTY") throw new WorkspaceError("exists", `${dir} exists already`);
        throw error;
      });
      return;
    }
    await rename(dir, old);
    try {
      await rename(staging, dir);
    } catch (error) {
      await rename(old, dir);
      throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
