import { fileOfPart, hashDocument, type TaskBundle } from "./bundle.ts";
import { bundleDocumentSchema, KNOWN_METADATA_KEYS, metadataSchema, testCaseSchema } from "./documents.ts";
import { checkSchemaDocument, compileSchema } from "./json-schema.ts";
import { issuesToProblems, type Problem } from "./problems.ts";
import { checkCron } from "./cron.ts";

/** Checks main.js: syntax and entry point. Supplied by the engine, which owns the sandbox. */
export type CodeInspector = (code: string) => Promise<Problem[]>;

const documentCheck = compileSchema(bundleDocumentSchema);
const metadataCheck = compileSchema(metadataSchema);
const testCaseCheck = compileSchema(testCaseSchema);

export type CheckResult = { ok: true; bundle: TaskBundle; warnings: Problem[] } | { ok: false; problems: Problem[] };

/**
 * The one judge of what a valid task is, for every host: bundle shape, metadata, both
 * schemas against their meta-schema, every test case, and the code. Reports every problem
 * at once. A `hash` in the document must match its content.
 */
export async function checkBundle(document: unknown, inspectCode: CodeInspector): Promise<CheckResult> {
  const shape = documentCheck.check(document);
  if (shape.length > 0) {
    return {
      ok: false,
      problems: shape.map((issue) => {
        const part = issue.pointer.split("/")[1] ?? "";
        return { severity: "error" as const, file: fileOfPart(part), pointer: issue.pointer, message: issue.message };
      }),
    };
  }
  const doc = document as TaskBundle;
  const problems: Problem[] = [];

  problems.push(
    ...issuesToProblems("metadata.json", metadataCheck.check(doc.metadata), "See the guide's metadata.json section for each field."),
  );
  for (const key of Object.keys(doc.metadata)) {
    if (!KNOWN_METADATA_KEYS.includes(key)) {
      problems.push({
        severity: "warning",
        file: "metadata.json",
        pointer: `/${key}`,
        message: `Unknown field "${key}" is ignored`,
        hint: `Known fields: ${KNOWN_METADATA_KEYS.join(", ")}.`,
      });
    }
  }
  const inputSchemaIssues = checkSchemaDocument(doc.input_schema);
  problems.push(...issuesToProblems("input.schema.json", inputSchemaIssues, "The schema must be valid JSON Schema (draft-07 or 2020-12)."));
  if (inputSchemaIssues.length === 0) problems.push(...checkDeclaredSchedules(doc));
  problems.push(...issuesToProblems("output.schema.json", checkSchemaDocument(doc.output_schema), "The schema must be valid JSON Schema (draft-07 or 2020-12)."));

  const seen = new Set<string>();
  for (const test of doc.tests) {
    if (seen.has(test.file)) problems.push({ severity: "error", file: test.file, message: "Duplicate test file" });
    seen.add(test.file);
    if ("expected_output" in test.case && "expected_error" in test.case) {
      problems.push({ severity: "error", file: test.file, message: "A test cannot have both expected_output and expected_error", hint: "Split it into two tests." });
    }
    problems.push(
      ...issuesToProblems(
        test.file,
        testCaseCheck.check(test.case),
        "A test has input, and expected_output or expected_error (not both), and may have mock_http.requests.",
      ),
    );
  }
  problems.push(...(await inspectCode(doc.code)));

  const hash = await hashDocument(doc);
  if (doc.hash !== undefined && doc.hash !== hash) {
    problems.push({ severity: "error", file: "bundle", pointer: "/hash", message: `The hash does not match the content (content hashes to ${hash})`, hint: "Omit hash or recompute it: it is the SHA-256 of the canonical JSON without hash." });
  }
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0) return { ok: false, problems };
  return { ok: true, bundle: { ...doc, hash }, warnings: problems };
}

/** Schedules declared in metadata.json must be runnable: a valid cron and time zone, an input the task accepts. */
function checkDeclaredSchedules(doc: TaskBundle): Problem[] {
  const declared = (doc.metadata as { schedules?: unknown }).schedules;
  if (!Array.isArray(declared)) return [];
  const problems: Problem[] = [];
  const input = compileSchema(doc.input_schema);
  declared.forEach((entry: { cron?: unknown; timezone?: unknown; input?: unknown }, i) => {
    if (typeof entry?.cron !== "string") return;
    const checked = checkCron(entry.cron, typeof entry.timezone === "string" ? entry.timezone : undefined);
    if (!checked.ok) problems.push({ severity: "error", file: "metadata.json", pointer: `/schedules/${i}/${checked.field}`, message: checked.message });
    problems.push(...issuesToProblems("metadata.json", input.check(entry.input ?? {}), "A schedule's input must pass input.schema.json.", `/schedules/${i}/input`));
  });
  return problems;
}
