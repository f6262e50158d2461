import type { SchemaIssue } from "../../engine/index.ts";
import type { Rule } from "../types.ts";

const issuesOf = (details: unknown): SchemaIssue[] => {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as SchemaIssue[]) : [];
};

/** Issues an answer lists; a value failing in thousands of places says enough with the first. */
const SHOWN_ISSUES = 50;
const SHOWN_OUTPUT_CHARS = 4_000;

const describe = (issues: SchemaIssue[]) => issues.map((i) => `${i.pointer === "" ? "(root)" : i.pointer}: ${i.message}`);

/** The input did not match input.schema.json: the task never ran. */
export const inputSchemaRule: Rule = ({ record }) => {
  if (record.error.type !== "InputSchemaError") return undefined;
  const issues = issuesOf(record.error.details);
  const paths = issues.map((i) => i.pointer);
  return {
    rule: "schema/input",
    meaning: "InputSchemaError: the input was checked against input.schema.json before the task ran, and did not match. main.js was not run.",
    cause: `The input does not fit input.schema.json at ${paths.length > 0 ? paths.slice(0, 10).map((p) => p || "(root)").join(", ") : "the root"}: ${describe(issues.slice(0, 5)).join("; ") || record.error.message}`,
    fixes: [
      "Send an input that fits the schema: check it first with ratchet_validate_task_input, which lists every issue with its JSON Pointer.",
      "If the input is right and the schema too strict, change input.schema.json (ratchet_update_task_schemas): the property's type, its `required` list or its bounds.",
    ],
    details: { offending_paths: paths.slice(0, SHOWN_ISSUES), issues: issues.slice(0, SHOWN_ISSUES), issue_count: issues.length },
  };
};

/** The output did not match output.schema.json: the task ran, but returned the wrong shape. */
export const outputSchemaRule: Rule = ({ record, code }) => {
  if (record.error.type !== "OutputSchemaError") return undefined;
  const issues = issuesOf(record.error.details);
  const paths = issues.map((i) => i.pointer);
  const unreadable = issues.length === 0;
  return {
    rule: "schema/output",
    meaning: "OutputSchemaError: the task ran to the end, but what it returned does not fit output.schema.json (or is not JSON).",
    cause: unreadable
      ? `The return value could not be read as JSON: ${record.error.message}`
      : `The returned value does not fit output.schema.json at ${paths.slice(0, 10).map((p) => p || "(root)").join(", ")}: ${describe(issues.slice(0, 5)).join("; ")}`,
    fixes: [
      "Return exactly the shape output.schema.json describes: check a candidate with ratchet_validate_task_output.",
      "If the new shape is intended, change output.schema.json with ratchet_update_task_schemas.",
      "Where a value comes from an API answer, check that the answer holds it (and that the request succeeded) before returning it.",
    ],
    details: {
      offending_paths: paths.slice(0, SHOWN_ISSUES),
      issues: issues.slice(0, SHOWN_ISSUES),
      issue_count: issues.length,
      ...(JSON.stringify(record.output ?? null).length <= SHOWN_OUTPUT_CHARS ? { output: record.output } : {}),
    },
    ...(code?.lastReturn() ? { location: code.lastReturn() } : {}),
  };
};
