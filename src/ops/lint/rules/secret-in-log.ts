import type { AnyNode, Node } from "acorn";
import { simple } from "acorn-walk";
import { isSecretName } from "../../../engine/index.ts";
import { propertyName } from "../ast.ts";
import type { Rule, RuleHit } from "../types.ts";

/** Calls whose result carries their argument's text, so a secret passed to them is still logged. */
const PASS_THROUGH = new Set(["String", "JSON.stringify"]);

function calleeName(node: AnyNode): string | undefined {
  if (node.type === "Identifier") return node.name;
  if (node.type === "MemberExpression" && node.object.type === "Identifier") return `${node.object.name}.${propertyName(node) ?? ""}`;
  return undefined;
}

/**
 * The first secret-named identifier or property whose value ends up in the logged text. Tests
 * of a secret (`key ? "set" : "missing"`, `!token`, `typeof auth`, `apiKey.length`) log no secret.
 */
function secretIn(node: AnyNode): Node | undefined {
  switch (node.type) {
    case "Identifier":
      // A variable named just `key` is almost always a map key (for (const key in obj)), not a credential.
      return node.name !== "key" && isSecretName(node.name) ? node : undefined;
    case "MemberExpression": {
      const name = propertyName(node);
      if (name === "length") return undefined;
      if (name !== undefined && isSecretName(name)) return node;
      return node.object.type === "Super" ? undefined : secretIn(node.object);
    }
    case "BinaryExpression":
      return node.operator === "+" ? (node.left.type === "PrivateIdentifier" ? undefined : secretIn(node.left)) ?? secretIn(node.right) : undefined;
    case "LogicalExpression":
      return secretIn(node.left) ?? secretIn(node.right);
    case "ConditionalExpression":
      return secretIn(node.consequent) ?? secretIn(node.alternate);
    case "TemplateLiteral":
      return node.expressions.map(secretIn).find(Boolean);
    case "ArrayExpression":
      return node.elements.map((e) => (e ? secretIn(e) : undefined)).find(Boolean);
    case "SpreadElement":
      return secretIn(node.argument);
    case "ObjectExpression":
      for (const property of node.properties) {
        if (property.type === "SpreadElement") {
          const found = secretIn(property);
          if (found) return found;
          continue;
        }
        const key = property.key.type === "Identifier" ? property.key.name : property.key.type === "Literal" ? String(property.key.value) : undefined;
        if (!property.computed && key !== undefined && isSecretName(key)) return property;
        const found = secretIn(property.value);
        if (found) return found;
      }
      return undefined;
    case "CallExpression": {
      const name = calleeName(node.callee);
      if (name !== undefined && PASS_THROUGH.has(name)) return node.arguments.map(secretIn).find(Boolean);
      // A method of the secret itself (token.slice(0, 8), key.toString()) still gives out its text.
      return node.callee.type === "MemberExpression" && node.callee.object.type !== "Super" ? secretIn(node.callee.object) : undefined;
    }
    default:
      return undefined;
  }
}

/** The secret's name as written: `token`, `.apiKey`, or a `password:` key. */
function nameOf(node: AnyNode): string {
  if (node.type === "Identifier") return node.name;
  if (node.type === "MemberExpression") return `.${propertyName(node) ?? "?"}`;
  if (node.type === "Property") return `${node.key.type === "Identifier" ? node.key.name : String((node.key as { value?: unknown }).value)}:`;
  return "?";
}

/** Logs are stored and shown to whoever reads executions; a secret written into one leaks. */
export const secretInLog: Rule = {
  id: "secret-in-log",
  severity: "error",
  hint: "Never log a secret: log that it is set (apiKey ? \"set\" : \"missing\") or its length, not its value.",
  check(program) {
    const hits: RuleHit[] = [];
    simple(program, {
      CallExpression(node) {
        if (node.callee.type !== "MemberExpression" || node.callee.object.type !== "Identifier" || node.callee.object.name !== "console") return;
        for (const argument of node.arguments) {
          const secret = secretIn(argument);
          if (secret) {
            hits.push({ node: secret, message: `console.${propertyName(node.callee) ?? "log"} writes a secret (${nameOf(secret as AnyNode)}) into the logs` });
            break;
          }
        }
      },
    });
    return hits;
  },
};
