import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES, type TaskFiles } from "../engine/index.ts";
import { UsageError } from "./errors.ts";

/** Reads a task folder into the engine's file map: the four task files and tests/*.json. */
export async function readTaskFolder(dir: string): Promise<TaskFiles> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
  // Read at once, not one after another: each read is a round trip to libuv's thread pool.
  // A missing task file is the validator's to report; a test file listed but unreadable is an error here.
  const tests = (await readdir(join(dir, TASK_FILES.testsDir)).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).sort();
  const taskFiles = [TASK_FILES.metadata, TASK_FILES.code, TASK_FILES.inputSchema, TASK_FILES.outputSchema];
  const testFiles = tests.map((name) => `${TASK_FILES.testsDir}/${name}`);
  const texts = await Promise.all([
    ...taskFiles.map((path) => readFile(join(dir, path), "utf8").catch(() => undefined)),
    ...testFiles.map((path) => readFile(join(dir, path), "utf8")),
  ]);
  const files: TaskFiles = {};
  [...taskFiles, ...testFiles].forEach((path, i) => {
    if (texts[i] !== undefined) files[path] = texts[i];
  });
  return files;
}
