import { simple } from "acorn-walk";
import type { Rule, RuleHit } from "../types.ts";

/** main.js is a script, not a module: `import` and `export` do not load. */
export const noImport: Rule = {
  id: "no-import",
  severity: "error",
  hint: "Tasks cannot load modules: write the code in main.js, and use the built-in fetch() for HTTP.",
  check(program) {
    const hits: RuleHit[] = [];
    for (const statement of program.body) {
      if (statement.type === "ImportDeclaration") hits.push({ node: statement, message: `import from "${String(statement.source.value)}" fails: main.js is a script, not a module` });
      if (statement.type.startsWith("Export")) hits.push({ node: statement, message: "export fails: main.js is a script that evaluates to the task's function" });
    }
    simple(program, {
      ImportExpression(node) {
        hits.push({ node, message: "import() fails: there are no modules in the sandbox" });
      },
    });
    return hits;
  },
};
