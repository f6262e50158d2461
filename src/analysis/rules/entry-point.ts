import type { Rule } from "../types.ts";

/** main.js must evaluate to a function; code written as a script body, or calling its own function, does not. */
export const entryPointRule: Rule = ({ record, code }) => {
  const missing = record.error.type === "EntryPointError" || (record.error.type === "InvalidTaskError" && /function/i.test(record.error.message));
  if (!missing && !(code?.program && !code.entryFunction() && record.error.type !== "InputSchemaError")) return undefined;
  const change = code
    ? { file: "main.js", before: code.text, after: `(function(input, context) {\n${code.lines.map((l) => (l ? `  ${l}` : l)).join("\n")}\n})\n` }
    : undefined;
  return {
    rule: "entry/missing-wrapper",
    meaning: "The task has no entry function: main.js must evaluate to the function Ratchet calls with (input, context).",
    cause: "main.js is written as a script body (statements at the top level, or a function that is called instead of returned), so there is no function to call.",
    fixes: ["Wrap the code: `(function(input, context) { ... return result; })`, or declare `function main(input, context) { ... }`.", "Do not call the function yourself: Ratchet calls it with the input."],
    details: {},
    ...(change ? { change } : {}),
  };
};
