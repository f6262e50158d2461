import { TASK_FILES } from "../../engine/index.ts";
import { parseTaskCode, positionOf, scopeOf } from "./ast.ts";
import { RULES } from "./rules/index.ts";
import type { Finding } from "./types.ts";

// Host-neutral (no file system): the MCP lint tool runs it in the Worker too.

export interface LintReport {
  file: string;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/**
 * Lints task code; throws LintParseError (with its position) when it does not parse. Findings are
 * in file order. `networkAllow` is metadata.json's network.allow, when the task declares one.
 */
export function lintCode(code: string, file: string = TASK_FILES.code, networkAllow?: readonly string[]): LintReport {
  const program = parseTaskCode(code);
  const scope = { ...scopeOf(program), ...(networkAllow ? { networkAllow } : {}) };
  const findings = RULES.flatMap((rule) =>
    rule.check(program, scope).map(({ node, message }) => ({ rule: rule.id, severity: rule.severity, ...positionOf(node), message, hint: rule.hint })),
  ).sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = findings.filter((f) => f.severity === "error").length;
  return { file, findings, errors, warnings: findings.length - errors };
}

/** metadata.json's network.allow, when the text parses and declares one (validate reports a bad metadata.json). */
export function networkAllowOf(metadataText: string | undefined): string[] | undefined {
  let metadata: { network?: { allow?: unknown } } | undefined;
  try {
    metadata = metadataText === undefined ? undefined : (JSON.parse(metadataText) as typeof metadata);
  } catch {
    return undefined;
  }
  const allow = metadata?.network?.allow;
  return Array.isArray(allow) ? allow.filter((entry): entry is string => typeof entry === "string") : undefined;
}
