import { simple } from "acorn-walk";
import type { Rule, RuleHit } from "../types.ts";

/** Node.js globals that do not exist in the sandbox (unless the task declares a variable of that name). */
const NODE_GLOBALS = new Set(["process", "fs", "Buffer", "__dirname", "__filename", "global", "module", "exports", "setImmediate"]);

export const noNodeApi: Rule = {
  id: "no-node-api",
  severity: "error",
  hint: "Only the guide's APIs exist in the sandbox: fetch(), console, the error types and standard JavaScript. Pass what the task needs in its input.",
  check(program, scope) {
    const hits: RuleHit[] = [];
    simple(program, {
      Identifier(node) {
        if (NODE_GLOBALS.has(node.name) && !scope.declared.has(node.name)) {
          hits.push({ node, message: `${node.name} is a Node.js API; it does not exist in the sandbox` });
        }
      },
    });
    return hits;
  },
};
