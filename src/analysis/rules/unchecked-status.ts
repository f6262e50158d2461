import type { Rule } from "../types.ts";

/**
 * An error status the task did not check: fetch returns a 4xx/5xx with ok false, and code
 * that reads the body as if it had succeeded fails later (a TypeError, a wrong output).
 */
export const uncheckedStatusRule: Rule = ({ record, code }) => {
  const bad = record.http.filter((h) => h.status !== undefined && h.status >= 400);
  if (bad.length === 0 || record.error.type === "NetworkError" || record.error.type === "InputSchemaError") return undefined;
  const unchecked = code?.fetchResults().filter((f) => !code.checksStatusOf(f.name)) ?? [];
  if (code && unchecked.length === 0 && code.fetchResults().length > 0) return undefined;
  const first = bad[0]!;
  const target = unchecked[0];
  let change;
  if (code && target) {
    const lines = [...code.lines];
    const guard = [
      `${target.indent}if (!${target.name}.ok) {`,
      `${target.indent}  throw new NetworkError(\`HTTP \${${target.name}.status} from \${${target.name}.url}\`);`,
      `${target.indent}}`,
    ];
    lines.splice(target.line, 0, ...guard);
    change = { file: "main.js", before: code.text, after: lines.join("\n") };
  }
  return {
    rule: "network/unchecked-status",
    meaning: `${record.error.type} after an HTTP error answer: fetch does not throw on 4xx/5xx (it returns ok: false), so the error body was used as if the request had succeeded.`,
    cause: `${first.method} ${first.url} answered ${first.status}${bad.length > 1 ? ` (and ${bad.length - 1} more error answers)` : ""}, and ${target ? `\`${target.name}\` (line ${target.line})` : "the response"} is used without checking \`ok\` or \`status\`.`,
    fixes: [
      `Check the answer before reading it: \`if (!${target?.name ?? "response"}.ok) throw new NetworkError(...)\` (or AuthenticationError on 401/403, RateLimitError on 429).`,
      "Check the request itself (URL, query, API key) with ratchet_get_execution_trace: the status says which.",
    ],
    details: { error_answers: bad.map((h) => ({ method: h.method, url: h.url, status: h.status })), unchecked_variables: unchecked.map((u) => u.name) },
    ...(change ? { change } : {}),
  };
};
