import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES } from "../../engine/index.ts";
import { UsageError } from "../errors.ts";
import { lintCode, type LintReport } from "./code.ts";

export { LintParseError } from "./ast.ts";
export { lintCode, type LintReport } from "./code.ts";
export type { Finding, Severity } from "./types.ts";

/** Lints a task folder's main.js; a usage error when the folder or the file is missing. */
export async function lintTask(dir: string): Promise<LintReport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
  const path = join(dir, TASK_FILES.code);
  const code = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`${path} cannot be read; a task folder holds its code in main.js`);
  });
  return lintCode(code, TASK_FILES.code, await networkAllowOf(dir));
}

/** metadata.json's network.allow, if the file parses and declares one (validate reports a bad metadata.json). */
async function networkAllowOf(dir: string): Promise<string[] | undefined> {
  try {
    const metadata = JSON.parse(await readFile(join(dir, TASK_FILES.metadata), "utf8")) as { network?: { allow?: unknown } };
    const allow = metadata.network?.allow;
    return Array.isArray(allow) ? allow.filter((entry): entry is string => typeof entry === "string") : undefined;
  } catch {
    return undefined;
  }
}
