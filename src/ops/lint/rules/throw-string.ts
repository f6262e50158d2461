import type { Expression } from "acorn";
import { simple } from "acorn-walk";
import type { Rule, RuleHit } from "../types.ts";

function isStringExpression(node: Expression): boolean {
  if (node.type === "Literal") return typeof node.value === "string";
  if (node.type === "TemplateLiteral") return true;
  if (node.type === "BinaryExpression" && node.operator === "+") {
    return (node.left.type !== "PrivateIdentifier" && isStringExpression(node.left)) || isStringExpression(node.right);
  }
  return false;
}

/** A thrown string has no error type and no stack: the run reports neither which kind of failure it was nor where. */
export const throwString: Rule = {
  id: "throw-string",
  severity: "warning",
  hint: 'Throw an error object: throw new DataError("..."), new NetworkError("...") or new Error("...").',
  check(program) {
    const hits: RuleHit[] = [];
    simple(program, {
      ThrowStatement(node) {
        if (isStringExpression(node.argument)) hits.push({ node, message: "throws a string instead of an Error: it has no type and no stack" });
      },
    });
    return hits;
  },
};
