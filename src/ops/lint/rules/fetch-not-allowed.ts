import type { Node } from "acorn";
import { simple } from "acorn-walk";
import { entryMatches, parseAllowEntry, targetOf } from "../../../engine/index.ts";
import { isCallTo } from "../ast.ts";
import type { Rule, RuleHit } from "../types.ts";

/** The URL a fetch's first argument spells out up to its path: a string, or a template whose first part holds the host. */
function literalUrl(node: Node): URL | undefined {
  let text: string | undefined;
  if (node.type === "Literal" && typeof (node as { value?: unknown }).value === "string") text = (node as unknown as { value: string }).value;
  if (node.type === "TemplateLiteral") {
    const { quasis, expressions } = node as unknown as { quasis: { value: { cooked?: string | null } }[]; expressions: unknown[] };
    const head = quasis[0]?.value.cooked ?? "";
    // Only when the host is written out before the first `${...}`.
    if (expressions.length === 0 || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+[/?#]/i.test(head)) text = head;
  }
  if (text === undefined) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A literal URL the task's metadata network.allow does not cover would be refused at run time. */
export const fetchNotAllowed: Rule = {
  id: "fetch-not-allowed",
  severity: "warning",
  hint: 'Add the host to "network": { "allow": [...] } in metadata.json (host, host:port or *.domain), or fetch another host.',
  check(program, scope) {
    if (scope.networkAllow === undefined) return [];
    const entries = scope.networkAllow.flatMap((text) => parseAllowEntry(text) ?? []);
    const hits: RuleHit[] = [];
    simple(program, {
      CallExpression(node) {
        const first = node.arguments[0];
        if (!isCallTo(node, "fetch") || !first) return;
        const url = literalUrl(first);
        if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return;
        const target = targetOf(url);
        if (!entries.some((entry) => entryMatches(entry, target))) {
          hits.push({ node: first, message: `fetch of ${url.host} is refused at run time: network.allow in metadata.json (${scope.networkAllow!.join(", ") || "empty"}) does not cover it` });
        }
      },
    });
    return hits;
  },
};
