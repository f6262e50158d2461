import { TASK_FILES, type TaskFiles } from "../engine/index.ts";
import { WorkspaceError } from "../workspace/workspace.ts";
import { jsonText, labelFromName, slug, taskFilePath } from "./task-files.ts";

/** What ratchet_create_task takes besides the name: whole files, upstream Ratchet's fields, or both where they do not overlap. */
export interface TaskSpec {
  files?: Record<string, string>;
  label?: string;
  description?: string;
  version?: string;
  tags?: string[];
  code?: string;
  input_schema?: unknown;
  output_schema?: unknown;
  test_cases?: Record<string, unknown>[];
}

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

// A starting point that validates and runs: it echoes its input until the author writes the task.
const SCAFFOLD_CODE = `(function(input, context) {
  return { received: input };
})
`;

const ANY_OBJECT = { $schema: DRAFT_07, type: "object" };

/** Which argument makes which file, so a file given twice is refused instead of one silently winning. */
const FIELD_FILE: [keyof TaskSpec, string][] = [
  ["code", TASK_FILES.code],
  ["input_schema", TASK_FILES.inputSchema],
  ["output_schema", TASK_FILES.outputSchema],
];

function testFilesOf(cases: Record<string, unknown>[]): TaskFiles {
  const files: TaskFiles = {};
  cases.forEach((testCase, i) => {
    const base = slug(typeof testCase.name === "string" ? testCase.name : `test-${i + 1}`);
    let file = `${TASK_FILES.testsDir}/${base}.json`;
    for (let n = 2; file in files; n++) file = `${TASK_FILES.testsDir}/${base}-${n}.json`;
    files[file] = jsonText(testCase);
  });
  return files;
}

/** metadata.json as given, with a fresh uuid when it has none (the validator requires one, and an author cannot be expected to make it). */
function withUuid(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text; // The validator reports the syntax error with its line and column.
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || "uuid" in value) return text;
  return jsonText({ uuid: crypto.randomUUID(), ...value });
}

/** The files of a new task: a scaffold from the fields given, overlaid with the files given. */
export function buildTaskFiles(name: string, spec: TaskSpec): TaskFiles {
  const given: TaskFiles = {};
  for (const [path, content] of Object.entries(spec.files ?? {})) given[taskFilePath(path)] = content;
  for (const [field, file] of FIELD_FILE) {
    if (spec[field] !== undefined && file in given) {
      throw new WorkspaceError("bad_request", `${file} is given twice: in files and as ${field}`, { hint: `Give either files["${file}"] or ${field}, not both.` });
    }
  }
  const metadataFields = (["label", "description", "version", "tags"] as const).filter((f) => spec[f] !== undefined);
  if (TASK_FILES.metadata in given && metadataFields.length > 0) {
    throw new WorkspaceError("bad_request", `metadata.json is given in files and also as ${metadataFields.join(", ")}`, { hint: "Put those fields inside files[\"metadata.json\"], or leave metadata.json out of files." });
  }
  const metadata = {
    uuid: crypto.randomUUID(),
    version: spec.version ?? "1.0.0",
    label: spec.label ?? labelFromName(name),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
  };
  const files: TaskFiles = {
    [TASK_FILES.metadata]: jsonText(metadata),
    [TASK_FILES.code]: spec.code ?? SCAFFOLD_CODE,
    [TASK_FILES.inputSchema]: jsonText(spec.input_schema ?? ANY_OBJECT),
    [TASK_FILES.outputSchema]: jsonText(spec.output_schema ?? ANY_OBJECT),
    ...testFilesOf(spec.test_cases ?? []),
    ...given,
  };
  if (TASK_FILES.metadata in given) files[TASK_FILES.metadata] = withUuid(given[TASK_FILES.metadata]!);
  return files;
}
