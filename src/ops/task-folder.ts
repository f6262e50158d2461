import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES, type TaskFiles } from "../engine/index.ts";
import { UsageError } from "./errors.ts";

/** Reads a task folder into the engine's file map: the four task files and tests/*.json. */
export async function readTaskFolder(dir: string): Promise<TaskFiles> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
  const files: TaskFiles = {};
  for (const name of [TASK_FILES.metadata, TASK_FILES.code, TASK_FILES.inputSchema, TASK_FILES.outputSchema]) {
    const text = await readFile(join(dir, name), "utf8").catch(() => undefined);
    if (text !== undefined) files[name] = text;
  }
  const tests = await readdir(join(dir, TASK_FILES.testsDir)).catch(() => [] as string[]);
  for (const name of tests.filter((n) => n.endsWith(".json")).sort()) {
    files[`${TASK_FILES.testsDir}/${name}`] = await readFile(join(dir, TASK_FILES.testsDir, name), "utf8");
  }
  return files;
}
