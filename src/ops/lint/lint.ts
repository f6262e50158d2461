import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES } from "../../engine/index.ts";
import { UsageError } from "../errors.ts";
import { parseTaskCode, positionOf, scopeOf } from "./ast.ts";
import { RULES } from "./rules/index.ts";
import type { Finding } from "./types.ts";

export { LintParseError } from "./ast.ts";
export type { Finding, Severity } from "./types.ts";

export interface LintReport {
  file: string;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** Lints task code; throws LintParseError (with its position) when it does not parse. Findings are in file order. */
export function lintCode(code: string, file: string = TASK_FILES.code): LintReport {
  const program = parseTaskCode(code);
  const scope = scopeOf(program);
  const findings = RULES.flatMap((rule) =>
    rule.check(program, scope).map(({ node, message }) => ({ rule: rule.id, severity: rule.severity, ...positionOf(node), message, hint: rule.hint })),
  ).sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = findings.filter((f) => f.severity === "error").length;
  return { file, findings, errors, warnings: findings.length - errors };
}

/** Lints a task folder's main.js; a usage error when the folder or the file is missing. */
export async function lintTask(dir: string): Promise<LintReport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
  const path = join(dir, TASK_FILES.code);
  const code = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`${path} cannot be read; a task folder holds its code in main.js`);
  });
  return lintCode(code);
}
