import { simple } from "acorn-walk";
import { isCallTo } from "../ast.ts";
import type { Rule, RuleHit } from "../types.ts";

/** There are no modules in the sandbox: `require` does not exist. */
export const noRequire: Rule = {
  id: "no-require",
  severity: "error",
  hint: "Tasks cannot load modules: write the code in main.js, and use the built-in fetch() for HTTP.",
  check(program, scope) {
    const hits: RuleHit[] = [];
    if (scope.declared.has("require")) return hits;
    simple(program, {
      CallExpression(node) {
        if (!isCallTo(node, "require")) return;
        const first = node.arguments[0];
        const what = first?.type === "Literal" && typeof first.value === "string" ? `require("${first.value}")` : "require()";
        hits.push({ node, message: `${what} fails: there is no require in the sandbox` });
      },
    });
    return hits;
  },
};
