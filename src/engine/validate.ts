import { documentFromFiles, fileOfPart, hashDocument, locatePointer, type TaskBundle, type TaskFiles, type TaskParts } from "./bundle.ts";
import { checkCron } from "./cron.ts";
import { bundleDocumentSchema, KNOWN_METADATA_KEYS, metadataSchema, testCaseSchema } from "./documents.ts";
import { checkSchemaDocument, compileSchema, draftOf, subsetSchema, UNCHECKABLE, unknownKeywords, type CompiledSchema } from "./json-schema.ts";
import { checkLimitRequest, DEFAULT_MAXIMA, describeBytes, type ExecutionLimits } from "./limits.ts";
import { issuesToProblems, type Problem } from "./problems.ts";

/** Checks main.js: syntax and entry point. Supplied by the engine, which owns the sandbox. */
export type CodeInspector = (code: string) => Promise<Problem[]>;

/** What was checked in one file, in the order it was checked (for `validate --verbose`). */
export interface FileReport {
  file: string;
  checks: string[];
}

export type CheckResult = ({ ok: true; bundle: TaskBundle; warnings: Problem[] } | { ok: false; problems: Problem[] }) & { checked: FileReport[] };

const documentCheck = compileSchema(bundleDocumentSchema);
const metadataCheck = compileSchema(metadataSchema);
const testCaseCheck = compileSchema(testCaseSchema);
const SCHEMA_HINT = "The schema must be valid JSON Schema (draft-07 or 2020-12).";

/** Collects FileReports, one per file, in the order files are first met. */
class Checked {
  private readonly files = new Map<string, string[]>();
  note(file: string, check: string): void {
    const checks = this.files.get(file) ?? [];
    checks.push(check);
    this.files.set(file, checks);
  }
  list(): FileReport[] {
    return [...this.files].map(([file, checks]) => ({ file, checks }));
  }
}

function finish(problems: Problem[], checked: Checked, bundle: TaskBundle | undefined): CheckResult {
  const failed = problems.some((p) => p.severity === "error");
  if (failed || !bundle) return { ok: false, problems, checked: checked.list() };
  return { ok: true, bundle, warnings: problems, checked: checked.list() };
}

/**
 * The one judge of what a valid task is, for every host: bundle shape, metadata, both
 * schemas against their meta-schema, every test case, and the code. Reports every problem
 * at once. A `hash` in the document must match its content. `maxima` are the host's: a
 * limit asked above them is a warning naming the cap.
 */
export async function checkBundle(document: unknown, inspectCode: CodeInspector, maxima: ExecutionLimits = DEFAULT_MAXIMA): Promise<CheckResult> {
  const checked = new Checked();
  checked.note("bundle", "shape of the bundle document");
  const shape = documentCheck.check(document);
  if (shape.length > 0) {
    const problems = shape.map((issue) => {
      const part = issue.pointer.split("/")[1] ?? "";
      return { severity: "error" as const, file: fileOfPart(part), pointer: issue.pointer, message: issue.message };
    });
    return finish(problems, checked, undefined);
  }
  const doc = document as TaskBundle;
  const problems = await checkParts(doc, inspectCode, maxima, checked);
  const hash = await hashDocument(doc);
  if (doc.hash !== undefined && doc.hash !== hash) {
    problems.push({ severity: "error", file: "bundle", pointer: "/hash", message: `The hash does not match the content (content hashes to ${hash})`, hint: "Omit hash or recompute it: it is the SHA-256 of the canonical JSON without hash." });
  }
  return finish(problems, checked, { ...doc, hash });
}

/**
 * Checks a task folder's files. A file that is missing or does not parse is reported, and
 * every other file is still judged, so one syntax error hides nothing else. Problems in JSON
 * files get the line and column of their JSON Pointer.
 */
export async function checkFiles(files: TaskFiles, inspectCode: CodeInspector, maxima: ExecutionLimits = DEFAULT_MAXIMA): Promise<CheckResult> {
  const checked = new Checked();
  const { document, parts, problems: unread } = documentFromFiles(files);
  for (const file of Object.keys(files).filter((f) => f.endsWith(".json")).sort()) checked.note(file, "JSON syntax");
  const problems = [...unread, ...(await checkParts(parts, inspectCode, maxima, checked))];
  for (const problem of problems) {
    const text = files[problem.file];
    if (problem.pointer === undefined || problem.line !== undefined || text === undefined || !problem.file.endsWith(".json")) continue;
    Object.assign(problem, locatePointer(text, problem.pointer));
  }
  return finish(problems, checked, document && ({ ...document, hash: await hashDocument(document) } as TaskBundle));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A schema file: valid against its meta-schema (an error otherwise), and free of unknown keywords (a warning). Its compiled form when valid. */
function checkSchemaFile(file: string, schema: unknown, checked: Checked, problems: Problem[]): CompiledSchema | undefined {
  const issues = checkSchemaDocument(schema);
  const draft = draftOf(schema);
  checked.note(file, `against the ${draft === "7" ? "draft-07" : draft === undefined ? "declared" : draft} meta-schema, with type names`);
  problems.push(...issuesToProblems(file, issues, SCHEMA_HINT));
  checked.note(file, "keyword spelling");
  problems.push(...issuesToProblems(file, unknownKeywords(schema), "JSON Schema ignores keywords it does not know; an annotation of your own can start with x-.", "", "warning"));
  if (issues.length > 0) return undefined;
  let compiled: CompiledSchema;
  try {
    compiled = compileSchema(schema as object);
  } catch (error) {
    // Two subschemas with one $id, or an $id that is no URI reference.
    problems.push({ severity: "error", file, message: `The schema cannot be compiled: ${(error as Error).message}`, hint: SCHEMA_HINT });
    return undefined;
  }
  // A $ref that points nowhere or loops without consuming the value fails whatever the value is: null shows it.
  const broken = compiled.check(null).find((issue) => issue.keyword === UNCHECKABLE);
  if (broken) {
    problems.push({ severity: "error", file, message: broken.message.replace("The value could not be checked: ", "No value can be checked against this schema: "), hint: "Point $ref at a part of this schema (#/definitions/name), inside properties or items when it refers to itself." });
    return undefined;
  }
  return compiled;
}

/** Judges every part that was read; a part that is absent was already reported by whoever read it. */
async function checkParts(parts: TaskParts, inspectCode: CodeInspector, maxima: ExecutionLimits, checked: Checked): Promise<Problem[]> {
  const problems: Problem[] = [];
  const { metadata } = parts;
  if (metadata !== undefined) {
    checked.note("metadata.json", "fields against the metadata schema");
    problems.push(...issuesToProblems("metadata.json", metadataCheck.check(metadata), "See the guide's metadata.json section for each field."));
  }
  if (isObject(metadata)) {
    for (const key of Object.keys(metadata).filter((k) => !KNOWN_METADATA_KEYS.includes(k))) {
      problems.push({ severity: "warning", file: "metadata.json", pointer: `/${key}`, message: `Unknown field "${key}" is ignored`, hint: `Known fields: ${KNOWN_METADATA_KEYS.join(", ")}.` });
    }
    checked.note("metadata.json", `timeout and memory_limit against this host's maxima (${maxima.wallMs} ms, ${describeBytes(maxima.memoryBytes)})`);
    problems.push(...checkLimitRequest(metadata, maxima));
  }

  const input = parts.input_schema === undefined ? undefined : checkSchemaFile("input.schema.json", parts.input_schema, checked, problems);
  if (input && isObject(metadata) && Array.isArray(metadata.schedules)) {
    checked.note("metadata.json", "declared schedules: cron, time zone, input against input.schema.json");
    problems.push(...checkDeclaredSchedules(metadata.schedules, input));
  }
  const output = parts.output_schema === undefined ? undefined : checkSchemaFile("output.schema.json", parts.output_schema, checked, problems);
  // expected_output is a deep subset of the output: what it gives must fit, nothing is required.
  const expectedOutput = output ? compileSchema(subsetSchema(parts.output_schema as object)) : undefined;

  const seen = new Set<string>();
  for (const test of parts.tests) {
    if (seen.has(test.file)) problems.push({ severity: "error", file: test.file, message: "Duplicate test file" });
    seen.add(test.file);
    if (test.case === undefined) continue;
    problems.push(...checkTest(test.file, test.case, input, expectedOutput, checked));
  }
  if (parts.code !== undefined) {
    checked.note("main.js", "syntax and entry point, loaded in the sandbox");
    problems.push(...(await inspectCode(parts.code)));
  }
  return problems;
}

/** A test case: its shape, and (as warnings: the test, not the task, is wrong) its input and expected_output against the schemas. */
function checkTest(file: string, testCase: unknown, input: CompiledSchema | undefined, expectedOutput: CompiledSchema | undefined, checked: Checked): Problem[] {
  checked.note(file, "shape: input, expected_output or expected_error, mock_http");
  const problems = issuesToProblems(file, testCaseCheck.check(testCase), "A test has input, and expected_output or expected_error (not both), and may have mock_http.requests.");
  if (!isObject(testCase)) return problems;
  if ("expected_output" in testCase && "expected_error" in testCase) {
    problems.push({ severity: "error", file, message: "A test cannot have both expected_output and expected_error", hint: "Split it into two tests." });
  }
  if (input && "input" in testCase) {
    checked.note(file, "input against input.schema.json");
    const expectsRefusal = isObject(testCase.expected_error) && testCase.expected_error.type === "InputSchemaError";
    const issues = input.check(testCase.input);
    if (issues.length > 0 && !expectsRefusal) {
      problems.push(
        ...issuesToProblems(
          file,
          issues.map((issue) => ({ ...issue, message: `The input does not match input.schema.json: ${issue.message}` })),
          'The test will fail with InputSchemaError: fix the input, or expect that error ("expected_error": {"type": "InputSchemaError"}).',
          "/input",
          "warning",
        ),
      );
    }
    if (issues.length === 0 && expectsRefusal) {
      problems.push({ severity: "warning", file, pointer: "/input", message: "The test expects an InputSchemaError, but its input matches input.schema.json", hint: "Make the input break the schema, or expect the task's real result." });
    }
  }
  if (expectedOutput && "expected_output" in testCase) {
    checked.note(file, "expected_output against output.schema.json, as a subset (required properties may be left out)");
    problems.push(
      ...issuesToProblems(
        file,
        expectedOutput.check(testCase.expected_output).map((issue) => ({ ...issue, message: `expected_output cannot match output.schema.json: ${issue.message}` })),
        "The task's output must pass output.schema.json, so this test cannot pass: fix the expected value or the schema.",
        "/expected_output",
        "warning",
      ),
    );
  }
  return problems;
}

/** Schedules declared in metadata.json must be runnable: a valid cron and time zone, an input the task accepts. */
function checkDeclaredSchedules(declared: unknown[], input: CompiledSchema): Problem[] {
  const problems: Problem[] = [];
  declared.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.cron !== "string") return;
    const checked = checkCron(entry.cron, typeof entry.timezone === "string" ? entry.timezone : undefined);
    if (!checked.ok) problems.push({ severity: "error", file: "metadata.json", pointer: `/schedules/${i}/${checked.field}`, message: checked.message });
    problems.push(...issuesToProblems("metadata.json", input.check(entry.input ?? {}), "A schedule's input must pass input.schema.json.", `/schedules/${i}/input`));
  });
  return problems;
}
