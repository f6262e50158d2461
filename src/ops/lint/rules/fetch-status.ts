import type { AnyNode, Pattern, Program } from "acorn";
import { ancestor } from "acorn-walk";
import { isCallTo, propertyName } from "../ast.ts";
import type { Rule, RuleHit } from "../types.ts";

const STATUS_FIELDS = new Set(["ok", "status"]);
/** Reading these right on the call is fine here: ok/status are the check, then/catch/finally are fetch-then's finding. */
const READ_ELSEWHERE = new Set([...STATUS_FIELDS, "then", "catch", "finally"]);

/** How each variable is used: whether `.ok`/`.status` is read on it, and whether it is handed on whole (to a call, a return...). */
function usesOf(program: Program): Map<string, { checked: boolean; escapes: boolean }> {
  const uses = new Map<string, { checked: boolean; escapes: boolean }>();
  ancestor(program, {
    Identifier(node, _state, ancestors) {
      const use = uses.get(node.name) ?? { checked: false, escapes: false };
      const parent = ancestors.at(-2);
      if (parent?.type === "MemberExpression" && parent.object === node) {
        if (STATUS_FIELDS.has(propertyName(parent) ?? "")) use.checked = true;
      } else {
        use.escapes = true;
      }
      uses.set(node.name, use);
    },
  });
  return uses;
}

/** Whether a destructuring of the response takes `ok`/`status` (or keeps the rest of it). */
function patternChecks(pattern: Pattern): boolean {
  if (pattern.type !== "ObjectPattern") return true;
  return pattern.properties.some(
    (p) => p.type === "RestElement" || (p.key.type === "Identifier" && STATUS_FIELDS.has(p.key.name)) || (p.key.type === "Literal" && STATUS_FIELDS.has(String(p.key.value))),
  );
}

/** A fetch answers non-2xx statuses with ok: false instead of throwing, so a response whose ok/status is never read goes on with an error body. */
export const fetchStatus: Rule = {
  id: "fetch-status-unchecked",
  severity: "warning",
  hint: "Check the response before using it: if (!response.ok) throw new NetworkError(`API returned ${response.status}`);",
  check(program) {
    const hits: RuleHit[] = [];
    const uses = usesOf(program);
    const unchecked = (name: string) => {
      const use = uses.get(name);
      return !use || (!use.checked && !use.escapes);
    };
    ancestor(program, {
      CallExpression(node, _state, ancestors) {
        if (!isCallTo(node, "fetch")) return;
        let at = ancestors.length - 2;
        let child: AnyNode = node;
        while (ancestors[at]?.type === "AwaitExpression" || ancestors[at]?.type === "ChainExpression") child = ancestors[at--]!;
        const parent = ancestors[at];
        const message = "the response's ok (or status) is never checked; a 404 or 500 answer goes on as if it had worked";
        if (parent?.type === "VariableDeclarator" && parent.init === child) {
          const id = parent.id;
          if (id.type === "Identifier" ? unchecked(id.name) : !patternChecks(id)) hits.push({ node, message });
        } else if (parent?.type === "AssignmentExpression" && parent.right === child && parent.left.type === "Identifier") {
          if (unchecked(parent.left.name)) hits.push({ node, message });
        } else if (parent?.type === "MemberExpression" && parent.object === child && !READ_ELSEWHERE.has(propertyName(parent) ?? "")) {
          hits.push({ node, message });
        }
      },
    });
    return hits;
  },
};
