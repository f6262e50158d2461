import { TASK_FILES, type TaskFiles } from "../engine/index.ts";
import { WorkspaceError, type Workspace } from "../workspace/workspace.ts";
import { editTask } from "./task-save.ts";
import { jsonText, slug, taskFilePath, testFiles } from "./task-files.ts";

/** Finding and saving one test case of a task. */

/** The test file a reference names: its path ("tests/a.json"), its file name ("a.json", "a"), or the case's `name`. */
export function findTestFile(files: TaskFiles, test: string): string {
  const all = testFiles(files);
  const byPath = [test, `${TASK_FILES.testsDir}/${test}`, `${TASK_FILES.testsDir}/${test}.json`].find((path) => all.includes(path));
  if (byPath) return byPath;
  const byName = all.filter((file) => {
    try {
      return (JSON.parse(files[file]!) as { name?: unknown }).name === test;
    } catch {
      return false;
    }
  });
  if (byName.length === 1) return byName[0]!;
  throw new WorkspaceError(byName.length > 1 ? "bad_request" : "not_found", byName.length > 1 ? `${byName.length} tests are named "${test}": ${byName.join(", ")}` : `no test "${test}"`, {
    hint: all.length > 0 ? `Name it by file: ${all.join(", ")}.` : "The task has no tests yet: add one with ratchet_create_test_case or ratchet_generate_test_cases.",
  });
}

/** tests/<name>.json for a new case, from its name or the file asked for. */
export function newTestFile(files: TaskFiles, name: string | undefined, file: string | undefined): string {
  const path = file !== undefined ? taskFilePath(file.includes("/") ? file : `${TASK_FILES.testsDir}/${file.endsWith(".json") ? file : `${file}.json`}`) : `${TASK_FILES.testsDir}/${slug(name ?? "test")}.json`;
  if (!path.startsWith(`${TASK_FILES.testsDir}/`)) throw new WorkspaceError("bad_request", `${path} is not a test file`, { hint: `Test files are ${TASK_FILES.testsDir}/NAME.json.` });
  if (path in files) throw new WorkspaceError("exists", `${path} exists already`, { hint: "Change it with ratchet_update_test_case, or give another `file` or name." });
  return path;
}

/**
 * Saves a test case. Beyond what makes a task invalid, a case that cannot pass as written (its
 * input fails input.schema.json without expecting InputSchemaError, or its expected_output cannot
 * fit output.schema.json) is refused: the validator's warnings about this file say why.
 */
export function saveTestCase(workspace: Workspace, ref: string, file: string, testCase: Record<string, unknown>, note: string) {
  return editTask(workspace, ref, note, async (files) => {
    const next = { ...files, [file]: jsonText(testCase) };
    const check = await workspace.check(next);
    const problems = check.ok ? check.warnings.filter((p) => p.file === file) : check.problems;
    if (problems.length > 0) {
      throw new WorkspaceError("invalid", check.ok ? `${file} would not pass as written; nothing was saved` : `the task would not be valid with ${file}; nothing was saved`, {
        problems,
        hint: 'Fix the test case as each problem says (an input meant to be refused expects {"type": "InputSchemaError"} in expected_error), then call again.',
      });
    }
    return next;
  });
}
