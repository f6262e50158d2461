import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES } from "../../engine/index.ts";
import { UsageError } from "../errors.ts";
import { lintCode, networkAllowOf, type LintReport } from "./code.ts";

export { LintParseError } from "./ast.ts";
export { lintCode, networkAllowOf, type LintReport } from "./code.ts";
export type { Finding, Severity } from "./types.ts";

/** Lints a task folder's main.js; a usage error when the folder or the file is missing. */
export async function lintTask(dir: string): Promise<LintReport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
  const path = join(dir, TASK_FILES.code);
  const code = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`${path} cannot be read; a task folder holds its code in main.js`);
  });
  const metadata = await readFile(join(dir, TASK_FILES.metadata), "utf8").catch(() => undefined);
  return lintCode(code, TASK_FILES.code, networkAllowOf(metadata));
}
