import type { Rule } from "../types.ts";

const READ = /cannot read propert(?:y|ies) '?([^' ]+)'? of (undefined|null)/i;

/** A TypeError reading a property of undefined or null: names the expression that was undefined and guards it. */
export const undefinedPropertyRule: Rule = ({ record, code, location }) => {
  if (record.error.type !== "TypeError") return undefined;
  const read = READ.exec(record.error.message);
  if (!read) return undefined;
  const [, property, nothing] = read;
  const member = code && location ? code.memberAt(location) : undefined;
  const object = member?.object;
  let change;
  if (code && location && object) {
    const lines = [...code.lines];
    const indent = /^\s*/.exec(lines[location.line - 1] ?? "")?.[0] ?? "";
    lines.splice(
      location.line - 1,
      0,
      `${indent}if (${object} == null) {`,
      `${indent}  throw new DataError(${JSON.stringify(`${object} is missing: cannot read ${property}`)});`,
      `${indent}}`,
    );
    change = { file: "main.js", before: code.text, after: lines.join("\n") };
  }
  return {
    rule: "type-error/undefined-property",
    meaning: `TypeError: the code read a property of ${nothing}. The value it expected was not there.`,
    cause: object
      ? `\`${object}\` was ${nothing} when \`${member!.expression}\` read \`${property}\` from it: the input or the API answer did not hold what the code expected (an optional field, a differently shaped answer, an error body).`
      : `A value was ${nothing} when the code read \`${property}\` from it.`,
    fixes: [
      object ? `Check \`${object}\` before reading from it, and throw a DataError that says what was missing.` : "Check the value before reading from it.",
      "Compare the shape the code expects with the real input (ratchet_get_execution_status) and API answers (ratchet_get_execution_trace); optional chaining (`a?.b`) where the value may be absent.",
    ],
    details: { property, value: nothing, ...(object ? { undefined_expression: object, expression: member!.expression } : {}) },
    ...(change ? { change } : {}),
  };
};

/** A TypeError calling something that is not a function: names the callee. */
export const notAFunctionRule: Rule = ({ record, code, location }) => {
  if (record.error.type !== "TypeError" || !/not a function/i.test(record.error.message)) return undefined;
  // QuickJS points some failed calls at the start of the statement: then the line's first call is the best guess.
  const call = code && location ? (code.callAt(location) ?? code.callsOnLine(location.line)[0]) : undefined;
  return {
    rule: "type-error/not-a-function",
    meaning: "TypeError: the code called a value that is not a function (undefined, a string, an object...).",
    cause: call
      ? `\`${call.callee}\` is not a function where \`${call.expression.length > 120 ? `${call.expression.slice(0, 120)}…` : call.expression}\` calls it: a misspelt method, a property that does not exist on this value, or a Node/browser API the sandbox does not have.`
      : "A value that is not a function was called.",
    fixes: [
      "Check the name and what the value really is (log `typeof` it); fetch's response has ok, status, headers, body, json() and text().",
      "Node APIs (require, Buffer, process) and browser ones beyond the Web-standard globals do not exist in the sandbox.",
    ],
    details: call ? { callee: call.callee } : {},
  };
};
