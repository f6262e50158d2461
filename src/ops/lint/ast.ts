import { parse, type AnyNode, type Expression, type Node, type Program, type Super } from "acorn";
import { simple, type SimpleVisitors } from "acorn-walk";
import type { Scope } from "./types.ts";

/** main.js does not parse as JavaScript; line and column are 1-based. */
export class LintParseError extends Error {
  override name = "LintParseError";
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

const OPTIONS = { ecmaVersion: "latest", locations: true } as const;

/**
 * Parses main.js as a script, as the engine loads it. Code that only parses as a module (it uses
 * `import`/`export`) is parsed as one, so the lint can name the statement instead of a syntax error.
 */
export function parseTaskCode(code: string): Program {
  try {
    return parse(code, { ...OPTIONS, sourceType: "script" });
  } catch (scriptError) {
    try {
      return parse(code, { ...OPTIONS, sourceType: "module" });
    } catch {
      const { loc } = scriptError as { loc?: { line: number; column: number } };
      const message = (scriptError as Error).message.replace(/\s*\(\d+:\d+\)$/, "");
      throw new LintParseError(message, loc?.line ?? 1, (loc?.column ?? 0) + 1);
    }
  }
}

/** Every name the file binds anywhere (variables, functions, parameters, catch parameters, classes). */
export function scopeOf(program: Program): Scope {
  const declared = new Set<string>();
  // acorn-walk visits every binding identifier as "VariablePattern", a walker type its typings leave out.
  const visitors = {
    VariablePattern(node: AnyNode) {
      if (node.type === "Identifier") declared.add(node.name);
    },
    ClassDeclaration(node: AnyNode) {
      if (node.type === "ClassDeclaration" && node.id) declared.add(node.id.name);
    },
  } as SimpleVisitors<unknown>;
  simple(program, visitors);
  return { declared };
}

/** Whether `node` calls the global function `name`, e.g. `fetch(...)`. */
export function isCallTo(node: AnyNode | Expression | Super, name: string): boolean {
  return node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === name;
}

/** The name of a member access's property when it is written out (`a.b`, `a["b"]`), else undefined. */
export function propertyName(node: AnyNode): string | undefined {
  if (node.type !== "MemberExpression") return undefined;
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  return undefined;
}

/** 1-based line and column of a node. */
export function positionOf(node: Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}
