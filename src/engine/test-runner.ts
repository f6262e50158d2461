import type { TaskBundle } from "./bundle.ts";
import type { TestCase } from "./documents.ts";
import type { Engine, ExecuteRequest, ExecutionResult, Trigger } from "./engine.ts";
import { diffExpected, matchesSubset } from "./match.ts";
import { createMockHttp } from "./mock-http.ts";
import type { FetchFunction } from "./sandbox/http-bridge.ts";

export interface TestOutcome {
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed, in one sentence. */
  failure?: string;
  /** Expected against actual, when an output or error did not match. */
  diff?: string;
  result: ExecutionResult;
}

export interface TestReport {
  passed: number;
  failed: number;
  tests: TestOutcome[];
}

export interface RunTestsOptions {
  /** Fetch for tests without mock_http (the platform's); tests with mock_http never use it. */
  fetch: FetchFunction;
  trigger?: Trigger;
  limits?: ExecuteRequest["limits"];
  validateSchemas?: boolean;
  /** The task's secrets, given to every test's run as to any other (see ExecuteRequest). */
  secrets?: ExecuteRequest["secrets"];
}

function judge(test: TestCase, result: ExecutionResult, unmatched: string[]): Pick<TestOutcome, "passed" | "failure" | "diff"> {
  if (unmatched.length > 0) {
    return { passed: false, failure: `request not in mock_http: ${unmatched.join(", ")}` };
  }
  if (test.expected_error) {
    const { type, message } = test.expected_error;
    if (result.status === "completed") {
      return { passed: false, failure: `expected ${type ?? "an error"} but the task completed`, diff: diffExpected(test.expected_error, { output: result.output }) };
    }
    const error = result.error!;
    const typeOk = type === undefined || type === error.type;
    const messageOk = message === undefined || error.message.includes(message);
    if (typeOk && messageOk) return { passed: true };
    return {
      passed: false,
      failure: `expected error ${type ?? ""}${message ? ` containing "${message}"` : ""}, got ${error.type}: ${error.message}`,
      diff: diffExpected(test.expected_error, { type: error.type, message: error.message }),
    };
  }
  if (result.status === "failed") {
    const error = result.error!;
    return { passed: false, failure: `the task failed with ${error.type}: ${error.message}` };
  }
  if ("expected_output" in test && !matchesSubset(test.expected_output, result.output)) {
    return { passed: false, failure: "output does not match expected_output", diff: diffExpected(test.expected_output, result.output) };
  }
  return { passed: true };
}

/**
 * Runs a bundle's own tests. `expected_output` matches as a deep subset; a test with
 * `mock_http` answers every request from its mocks and fails on any request they lack.
 */
export async function runTests(engine: Engine, bundle: TaskBundle, options: RunTestsOptions): Promise<TestReport> {
  const tests: TestOutcome[] = [];
  for (const { file, case: test } of bundle.tests) {
    const mock = test.mock_http ? createMockHttp(test.mock_http.requests) : undefined;
    const result = await engine.execute(bundle, {
      input: test.input,
      trigger: options.trigger ?? "test",
      fetch: mock ? mock.fetch : options.fetch,
      mockedFetch: mock !== undefined,
      limits: options.limits,
      validateSchemas: options.validateSchemas,
      secrets: options.secrets,
    });
    tests.push({ file, name: test.name ?? file, ...judge(test, result, mock?.unmatched ?? []), result });
  }
  const passed = tests.filter((t) => t.passed).length;
  return { passed, failed: tests.length - passed, tests };
}
