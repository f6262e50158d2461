import type { Rule } from "../types.ts";

const PROMISE_METHODS = new Set(["then", "catch", "finally"]);

/**
 * Promises where values were meant, or values where promises were assumed: fetch is
 * synchronous here, so `.then` on its answer fails, and a value read from an async
 * helper's result without `await` is a Promise with none of the expected properties.
 */
export const asyncMisuseRule: Rule = ({ record, code, location }) => {
  if (record.error.type !== "TypeError" || !code || !location) return undefined;
  // QuickJS points some failed calls at the start of the statement rather than the call: look along the line.
  const isPromiseMethod = (c: { calleeNode: { type: string; computed?: boolean; property?: { name?: string } } }) =>
    c.calleeNode.type === "MemberExpression" && !c.calleeNode.computed && PROMISE_METHODS.has(c.calleeNode.property?.name ?? "");
  const notAFunction = /not a function/i.test(record.error.message);
  const exact = notAFunction ? code.callAt(location) : undefined;
  const call = exact && isPromiseMethod(exact) ? exact : notAFunction ? code.callsOnLine(location.line).find(isPromiseMethod) : undefined;
  const callee = call?.calleeNode;
  if (call && callee) {
    const onFetch = code.isFetchCall(callee.object);
    return {
      rule: "async/then-on-value",
      meaning: "TypeError: a value was used as a Promise. Ratchet's fetch is synchronous: it returns the response itself, which has no .then.",
      cause: `\`${code.source(callee.object)}\` is ${onFetch ? "a fetch response" : "not a Promise"}, so \`.${callee.property.name}(...)\` is not a function.`,
      fixes: [
        "Use the value directly: `const response = fetch(url); const data = response.body;` (or `response.json()`).",
        "If you prefer promises, make the function async and `await fetch(url)`: awaiting a value is allowed.",
      ],
      details: { expression: call!.expression },
    };
  }
  const read = /cannot read propert(?:y|ies) '?([^' ]+)'? of undefined/i.exec(record.error.message);
  const member = read ? code.memberAt(location) : undefined;
  if (!member) return undefined;
  const pending = code.assignedFromCall(code.asyncFunctions());
  const root = /^[A-Za-z_$][\w$]*/.exec(member.object)?.[0] ?? "";
  const helper = pending.get(root);
  if (!helper) return undefined;
  return {
    rule: "async/missing-await",
    meaning: "TypeError: a Promise was used as the value it resolves to.",
    cause: `\`${root}\` holds the Promise returned by the async function \`${helper}\`, not its result: the call is not awaited, so \`${member.object}\` is undefined.`,
    fixes: [`Await it: \`const ${root} = await ${helper}(...)\`, in an async function (the entry function may be async).`, `Or make \`${helper}\` a plain function: fetch is synchronous, so it needs no async.`],
    details: { undefined_expression: member.object, async_function: helper },
  };
};
