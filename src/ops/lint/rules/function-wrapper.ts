import type { Rule } from "../types.ts";

/** main.js must evaluate to a function, or declare `function main`, as the engine loads it. */
export const functionWrapper: Rule = {
  id: "function-wrapper",
  severity: "error",
  hint: "Wrap the code: (function(input, context) { ... return result; }) as the file's only statement.",
  check(program) {
    const declaresMain = program.body.some((s) => s.type === "FunctionDeclaration" && s.id?.name === "main");
    const last = program.body.at(-1);
    if (declaresMain) return [];
    if (!last) return [{ node: program, message: "main.js is empty; it must evaluate to the task's function" }];
    if (last.type === "ExpressionStatement" && (last.expression.type === "FunctionExpression" || last.expression.type === "ArrowFunctionExpression")) return [];
    if (last.type === "VariableDeclaration" && last.declarations.some((d) => d.init?.type === "ArrowFunctionExpression" || d.init?.type === "FunctionExpression")) {
      return [{ node: last, message: "the task's function is assigned to a variable, so main.js does not evaluate to it" }];
    }
    return [{ node: last, message: "main.js does not end with the task's function wrapper, so it does not evaluate to a function" }];
  },
};
