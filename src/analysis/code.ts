import { parse } from "acorn";
import { full } from "acorn-walk";
import type { SourceLocation } from "./source.ts";

interface Position {
  line: number;
  column: number;
}
/** An ESTree node as acorn gives it with `locations`: every field read by name. */
interface AnyNode {
  type: string;
  start: number;
  end: number;
  loc: { start: Position; end: Position };
  [field: string]: any;
}

/** main.js parsed once (acorn, positions kept) with the questions the rules ask of it. */
export class CodeIndex {
  readonly text: string;
  readonly lines: string[];
  /** Undefined when main.js does not parse. */
  readonly program?: AnyNode;
  private readonly nodes: AnyNode[] = [];

  constructor(text: string) {
    this.text = text;
    this.lines = text.split(/\r?\n/);
    try {
      this.program = parse(text, { ecmaVersion: "latest", sourceType: "script", locations: true, allowReturnOutsideFunction: true }) as unknown as AnyNode;
      full(this.program as never, (node) => this.nodes.push(node as unknown as AnyNode));
    } catch {
      this.program = undefined;
    }
  }

  source(node: AnyNode): string {
    return this.text.slice(node.start, node.end);
  }

  /**
   * The node of a kind whose `part` ends right where the error points. QuickJS points a failed
   * member access at its dot and a failed call at its parenthesis: one column past the object
   * or callee. Failing an exact hit, the nearest on the line.
   */
  private at(location: SourceLocation, kind: string, part: (node: AnyNode) => AnyNode): AnyNode | undefined {
    const candidates = this.nodes.filter((n) => n.type === kind && part(n).loc.end.line === location.line);
    const distance = (n: AnyNode) => Math.abs(part(n).loc.end.column - (location.column - 1));
    return candidates.sort((a, b) => distance(a) - distance(b) || a.end - a.start - (b.end - b.start))[0];
  }

  /** The member access that failed at a location, e.g. `data.main.temp` (object `data.main`). */
  memberAt(location: SourceLocation): { expression: string; object: string; property: string } | undefined {
    const node = this.at(location, "MemberExpression", (n) => n.object);
    if (!node) return undefined;
    const property = node.computed ? this.source(node.property) : node.property.name;
    return { expression: this.source(node), object: this.source(node.object), property };
  }

  /** The call that failed at a location, e.g. `fetch(url).then(...)` (callee `fetch(url).then`). */
  callAt(location: SourceLocation): { expression: string; callee: string; calleeNode: AnyNode } | undefined {
    const node = this.at(location, "CallExpression", (n) => n.callee);
    if (!node) return undefined;
    return { expression: this.source(node), callee: this.source(node.callee), calleeNode: node.callee };
  }

  /** Calls whose callee ends on a line, in source order. */
  callsOnLine(line: number): { expression: string; callee: string; calleeNode: AnyNode }[] {
    return this.nodes
      .filter((n) => n.type === "CallExpression" && n.callee.loc.end.line === line)
      .sort((a, b) => a.start - b.start)
      .map((n) => ({ expression: this.source(n), callee: this.source(n.callee), calleeNode: n.callee }));
  }

  /** Whether a node is a call of the guest's synchronous fetch (possibly awaited). */
  isFetchCall(node: AnyNode | undefined): boolean {
    if (!node) return false;
    if (node.type === "AwaitExpression") return this.isFetchCall(node.argument);
    return node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === "fetch";
  }

  /** Variables assigned a fetch's response: `const response = fetch(...)`, with the statement's line. */
  fetchResults(): { name: string; line: number; indent: string }[] {
    return this.nodes
      .filter((n) => n.type === "VariableDeclarator" && n.id.type === "Identifier" && this.isFetchCall(n.init))
      .map((n) => {
        const line = n.loc.end.line;
        return { name: n.id.name as string, line, indent: /^\s*/.exec(this.lines[n.loc.start.line - 1] ?? "")?.[0] ?? "" };
      });
  }

  /** Whether the code reads `name.ok` or `name.status` anywhere. */
  checksStatusOf(name: string): boolean {
    return this.nodes.some(
      (n) => n.type === "MemberExpression" && n.object.type === "Identifier" && n.object.name === name && !n.computed && ["ok", "status"].includes(n.property.name),
    );
  }

  /** Names of functions declared `async` in main.js (declarations and `const f = async ...`). */
  asyncFunctions(): Set<string> {
    const names = new Set<string>();
    for (const n of this.nodes) {
      if (n.type === "FunctionDeclaration" && n.async && n.id) names.add(n.id.name);
      if (n.type === "VariableDeclarator" && n.id.type === "Identifier" && n.init && /Function/.test(n.init.type) && n.init.async) names.add(n.id.name);
    }
    return names;
  }

  /** Variables assigned the (un-awaited) result of calling one of `functions`. */
  assignedFromCall(functions: Set<string>): Map<string, string> {
    const out = new Map<string, string>();
    for (const n of this.nodes) {
      if (n.type !== "VariableDeclarator" || n.id.type !== "Identifier" || n.init?.type !== "CallExpression") continue;
      const callee = n.init.callee;
      if (callee.type === "Identifier" && functions.has(callee.name)) out.set(n.id.name, callee.name);
    }
    return out;
  }

  /** The function main.js evaluates to, in one of the forms the engine accepts; undefined when it has none. */
  entryFunction(): AnyNode | undefined {
    const body: AnyNode[] = this.program?.body ?? [];
    const declared = body.find((s) => s.type === "FunctionDeclaration" && s.id?.name === "main");
    if (declared) return declared;
    const last = body.at(-1);
    if (last?.type === "ExpressionStatement" && /Function/.test(last.expression.type)) return last.expression;
    return undefined;
  }

  /** The last `return` of the entry function itself (not of nested functions): where the output is made. */
  lastReturn(): SourceLocation | undefined {
    const entry = this.entryFunction();
    if (!entry) return undefined;
    const own: AnyNode[] = [];
    const visit = (node: AnyNode) => {
      if (/Function/.test(node.type)) return;
      if (node.type === "ReturnStatement") own.push(node);
      for (const value of Object.values(node)) {
        for (const child of Array.isArray(value) ? value : [value]) {
          if (child && typeof child === "object" && typeof (child as AnyNode).type === "string") visit(child as AnyNode);
        }
      }
    };
    visit(entry.body);
    const last = own.at(-1);
    return last ? { line: last.loc.start.line, column: last.loc.start.column + 1 } : undefined;
  }
}
