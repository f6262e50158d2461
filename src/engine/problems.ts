import type { SchemaIssue } from "./json-schema.ts";

/** One thing wrong with a task, located precisely enough to fix without searching. */
export interface Problem {
  severity: "error" | "warning";
  /** Path inside the task folder, e.g. "input.schema.json" or "tests/test-001.json". */
  file: string;
  /** JSON Pointer into the file's JSON, when the problem is in a JSON document. */
  pointer?: string;
  line?: number;
  column?: number;
  message: string;
  /** How to fix it. */
  hint?: string;
}

export function issuesToProblems(file: string, issues: SchemaIssue[], hint?: string, prefix = "", severity: Problem["severity"] = "error"): Problem[] {
  return issues.map((issue) => ({
    severity,
    file,
    pointer: prefix + issue.pointer,
    message: issue.message,
    ...(hint ? { hint } : {}),
  }));
}

/** "file:line:column pointer: message (hint)" — one line per problem, as compilers print them. */
export function formatProblem(problem: Problem): string {
  let where = problem.file;
  if (problem.line !== undefined) where += `:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ""}`;
  if (problem.pointer !== undefined) where += ` ${problem.pointer === "" ? "(root)" : problem.pointer}`;
  const hint = problem.hint ? `\n    hint: ${problem.hint}` : "";
  return `${problem.severity}: ${where}: ${problem.message}${hint}`;
}
