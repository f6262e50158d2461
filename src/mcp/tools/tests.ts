import { z } from "zod";
import { TASK_FILES } from "../../engine/index.ts";
import { LintParseError } from "../../ops/lint/ast.ts";
import { lintCode, networkAllowOf } from "../../ops/lint/code.ts";
import { WorkspaceError } from "../../workspace/workspace.ts";
import { savedShape, taskIdArg } from "../task-shapes.ts";
import { findTestFile, newTestFile, saveTestCase } from "../test-cases.ts";
import { outcomeOf, outcomeShape, runSuite, suiteShape } from "../test-suite.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";
import { generateTestCasesTool } from "./test-generate.ts";

const testCaseShape = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  input: z.unknown().describe("The task's input"),
  expected_output: z.unknown().optional().describe("A deep subset of the output: keys left out are not compared"),
  expected_error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional().describe('e.g. {"type": "ValidationError", "message": "must be positive"}'),
  mock_http: z
    .object({ requests: z.array(z.object({ method: z.string().optional(), url: z.string(), response: z.record(z.string(), z.unknown()).optional() })) })
    .optional()
    .describe("Answers for the task's fetches; a request not listed fails the test"),
});

const testArg = z.string().min(1).describe('The test file ("tests/basic.json" or "basic") or the test case\'s name');

const testTask = defineTool({
  name: "ratchet_test_task",
  title: "Run a task's tests",
  description:
    "Runs every test in the task's tests/*.json, one after another, sending a progress notification after each one (when the call carries a progressToken). " +
    "expected_output matches as a deep subset; a test with mock_http answers the task's fetches from its mocks, others fetch for real. " +
    "Use it after every change. Returns passed, failed and each test's result, with a unified diff of expected against actual for a failure. " +
    'Example: {"task_id": "addition"}',
  toolset: "tests",
  input: z.object({ task_id: taskIdArg }),
  output: suiteShape.extend({ hint: z.string().optional() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ task_id }, context) {
    const suite = await runSuite(context, task_id);
    return { ...suite, ...(suite.total === 0 ? { hint: "The task has no tests: add one with ratchet_create_test_case or ratchet_generate_test_cases." } : {}) };
  },
});

const runSingleTest = defineTool({
  name: "ratchet_run_single_test",
  title: "Run one test",
  description:
    "Runs one test of a task and returns its result in detail: passed or not, why, the diff, the task's output or error, its logs and the execution id. " +
    "Use it to work on one failing test without running the whole suite. " +
    'Example: {"task_id": "addition", "test": "tests/basic.json"}',
  toolset: "tests",
  input: z.object({ task_id: taskIdArg, test: testArg }),
  output: outcomeShape.extend({
    execution_id: z.string(),
    output: z.unknown().optional(),
    logs: z.array(z.object({ level: z.string(), time: z.string(), message: z.string() })),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ task_id, test }, { workspace }) {
    const file = findTestFile((await workspace.getTask(task_id)).files, test);
    const report = await workspace.runTests(task_id, { only: file });
    const outcome = report.tests[0];
    if (!outcome) throw new WorkspaceError("not_found", `${file} did not run`, { hint: "ratchet_list_task_files shows the task's test files." });
    const { result } = outcome;
    return {
      ...outcomeOf(outcome),
      execution_id: result.executionId,
      ...(result.status === "completed" ? { output: result.output } : {}),
      logs: result.logs.map((l) => ({ level: l.level, time: l.time, message: l.message })),
    };
  },
});

const createTestCase = defineTool({
  name: "ratchet_create_test_case",
  title: "Add a test case",
  description:
    "Adds a test case to a task as tests/<name>.json (or `file`). It is checked before it is saved: its shape, its input against input.schema.json (unless it expects InputSchemaError) and its expected_output against output.schema.json; " +
    "a case that cannot pass as written is refused with every reason and nothing is saved. Use it to pin down behaviour, e.g. a bug found with ratchet_analyze_execution_error. " +
    "Returns the file written, the task and warnings. " +
    'Example: {"task_id": "addition", "test_case": {"name": "negative numbers", "input": {"num1": -2, "num2": -3}, "expected_output": {"sum": -5}}}',
  toolset: "tests",
  input: z.object({ task_id: taskIdArg, test_case: testCaseShape, file: z.string().optional().describe('Default: from the name, e.g. "tests/negative-numbers.json"') }),
  output: savedShape.extend({ file: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ task_id, test_case, file }, { workspace }) {
    if (test_case.expected_output !== undefined && test_case.expected_error !== undefined) {
      throw new WorkspaceError("bad_request", "test_case has both expected_output and expected_error", { hint: "A test expects an output or an error: split it into two test cases." });
    }
    const path = newTestFile((await workspace.getTask(task_id)).files, test_case.name, file);
    const saved = await saveTestCase(workspace, task_id, path, test_case, `before ratchet_create_test_case ${path}`);
    return { ...saved, file: path };
  },
});

const updateTestCase = defineTool({
  name: "ratchet_update_test_case",
  title: "Change a test case",
  description:
    "Changes fields of an existing test case (name, description, input, expected_output, expected_error, mock_http); setting expected_error drops expected_output and the reverse; remove_fields deletes fields. " +
    "It is checked as ratchet_create_test_case checks a new one; nothing is saved when it could not pass as written. Use it when the expected behaviour changed on purpose. " +
    "Returns the file, the task and warnings. " +
    'Example: {"task_id": "addition", "test": "tests/basic.json", "changes": {"expected_output": {"sum": 4}}}',
  toolset: "tests",
  input: z.object({
    task_id: taskIdArg,
    test: testArg,
    changes: testCaseShape.partial(),
    remove_fields: z.array(z.enum(["name", "description", "expected_output", "expected_error", "mock_http"])).optional(),
  }),
  output: savedShape.extend({ file: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, test, changes, remove_fields }, { workspace }) {
    const files = (await workspace.getTask(task_id)).files;
    const file = findTestFile(files, test);
    // The workspace gave the task out validated, so every test file holds a JSON object.
    const current = JSON.parse(files[file]!) as Record<string, unknown>;
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const next: Record<string, unknown> = { ...current, ...given };
    if ("expected_error" in given) delete next.expected_output;
    if ("expected_output" in given) delete next.expected_error;
    for (const key of remove_fields ?? []) delete next[key];
    const saved = await saveTestCase(workspace, task_id, file, next, `before ratchet_update_test_case ${file}`);
    return { ...saved, file };
  },
});

const findingShape = z.object({ rule: z.string(), severity: z.enum(["error", "warning"]), line: z.number(), column: z.number(), message: z.string(), hint: z.string() });

const lintTaskCode = defineTool({
  name: "ratchet_lint_task_code",
  title: "Lint task code",
  description:
    "Checks a task's main.js ({task_id}) or a piece of code ({code}) against the guide's do's and don'ts, with the same rules as `ratchet lint`: function-wrapper, no-require, no-import, no-node-api, " +
    "fetch-then (fetch is synchronous), fetch-status-unchecked, throw-string, swallowed-catch, secret-in-log. Use it before saving or deploying code. " +
    "Returns each finding with its rule, severity, line, column, message and how to fix it; code that does not parse is an error naming its line and column. " +
    'Example: {"code": "(function(input) { const r = fetch(input.url); return r.body; })"}',
  toolset: "tests",
  input: z.object({ task_id: taskIdArg.optional(), code: z.string().optional().describe("Code to lint instead of a task's main.js") }),
  output: z.object({ file: z.string(), findings: z.array(findingShape), errors: z.number(), warnings: z.number() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ task_id, code }, { workspace }) {
    if ((task_id === undefined) === (code === undefined)) {
      throw new WorkspaceError("bad_request", task_id === undefined ? "neither task_id nor code was given" : "both task_id and code were given", { hint: "Pass task_id (to lint its main.js) or code, exactly one of them." });
    }
    const files = code === undefined ? (await workspace.getTask(task_id!)).files : undefined;
    const source = code ?? files?.[TASK_FILES.code] ?? "";
    try {
      const report = lintCode(source, TASK_FILES.code, networkAllowOf(files?.[TASK_FILES.metadata]));
      return { file: report.file, findings: report.findings.map((f) => ({ rule: f.rule, severity: f.severity, line: f.line, column: f.column, message: f.message, hint: f.hint })), errors: report.errors, warnings: report.warnings };
    } catch (error) {
      if (!(error instanceof LintParseError)) throw error;
      throw new WorkspaceError("invalid", `main.js does not parse: ${error.message} (line ${error.line}, column ${error.column})`, {
        problems: [{ severity: "error", file: TASK_FILES.code, line: error.line, column: error.column, message: error.message }],
        hint: "Fix the syntax error at that position, then lint again; the task is written as (function(input, context) { ... }).",
      });
    }
  },
});

export const testTools: ToolDefinition[] = [testTask, runSingleTest, createTestCase, updateTestCase, generateTestCasesTool, lintTaskCode] as ToolDefinition[];
