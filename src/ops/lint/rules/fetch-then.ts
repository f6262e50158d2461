import { simple } from "acorn-walk";
import { isCallTo, propertyName } from "../ast.ts";
import type { Rule, RuleHit } from "../types.ts";

const PROMISE_METHODS = new Set(["then", "catch", "finally"]);

/** fetch() returns the response itself, not a promise: `.then` is undefined on it. */
export const fetchThen: Rule = {
  id: "fetch-then",
  severity: "error",
  hint: "fetch is synchronous: const response = fetch(url); then use response.ok, response.status and response.body.",
  check(program) {
    const hits: RuleHit[] = [];
    simple(program, {
      MemberExpression(node) {
        const name = propertyName(node);
        if (name !== undefined && PROMISE_METHODS.has(name) && isCallTo(node.object, "fetch")) {
          hits.push({ node: node.property, message: `fetch(...).${name}(...) fails: fetch returns the response, not a promise` });
        }
      },
    });
    return hits;
  },
};
