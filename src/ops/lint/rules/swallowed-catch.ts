import type { AnyNode } from "acorn";
import { base, simple, type RecursiveVisitors } from "acorn-walk";
import type { Rule, RuleHit } from "../types.ts";

/** The walk stays in the catch block itself: what a nested function does is not what the block does. */
const SKIP_FUNCTIONS: RecursiveVisitors<unknown> = { ...base, FunctionDeclaration: () => {}, FunctionExpression: () => {}, ArrowFunctionExpression: () => {} };

/** Whether a catch block rethrows, returns, or logs. */
function handles(body: AnyNode): boolean {
  let handled = false;
  simple(
    body,
    {
      ThrowStatement: () => (handled = true),
      ReturnStatement: () => (handled = true),
      CallExpression(node) {
        if (node.callee.type === "MemberExpression" && node.callee.object.type === "Identifier" && node.callee.object.name === "console") handled = true;
      },
    },
    SKIP_FUNCTIONS,
  );
  return handled;
}

/** A catch that neither rethrows, returns, nor logs hides the failure: the task goes on as if nothing had happened. */
export const swallowedCatch: Rule = {
  id: "swallowed-catch",
  severity: "warning",
  hint: "Rethrow with context (throw new Error(`Task failed: ${error.message}`)), return a result that says what failed, or at least console.error it.",
  check(program) {
    const hits: RuleHit[] = [];
    simple(program, {
      CatchClause(node) {
        if (node.body.body.length === 0) hits.push({ node, message: "empty catch block: the error is swallowed" });
        else if (!handles(node.body)) hits.push({ node, message: "catch block neither rethrows, returns nor logs: the error is swallowed" });
      },
    });
    return hits;
  },
};
