import { parse as parseTolerant, printParseErrorCode, type ParseError } from "jsonc-parser";
import { BUNDLE_FORMAT, type BundleDocument, type TaskMetadata, type TestCase } from "./documents.ts";
import type { Problem } from "./problems.ts";

/** A task folder as text: path relative to the folder ("main.js", "tests/a.json") to content. */
export type TaskFiles = Record<string, string>;

export const TASK_FILES = {
  metadata: "metadata.json",
  code: "main.js",
  inputSchema: "input.schema.json",
  outputSchema: "output.schema.json",
  testsDir: "tests",
} as const;

/** A bundle that passed validation: the canonical document, its hash required, its parts typed. */
export type TaskBundle = BundleDocument & {
  hash: string;
  metadata: TaskMetadata;
  tests: { file: string; case: TestCase }[];
};

/** Where in a document each part of a bundle came from, for locating problems. */
export function fileOfPart(part: string): string {
  switch (part) {
    case "metadata":
      return TASK_FILES.metadata;
    case "code":
      return TASK_FILES.code;
    case "input_schema":
      return TASK_FILES.inputSchema;
    case "output_schema":
      return TASK_FILES.outputSchema;
    default:
      return "bundle";
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** Parses JSON text, reporting a syntax error with its line and column. */
export function parseJsonFile(file: string, text: string): { value?: unknown; problem?: Problem } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    // JSON.parse does not always say where it failed; jsonc-parser (in strict mode) does.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    return {
      problem: {
        severity: "error",
        file,
        ...(first ? lineAndColumn(text, first.offset) : {}),
        message: `Invalid JSON: ${first ? printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() : (error as Error).message}`,
        hint: "Check for trailing commas, unquoted keys or comments; JSON allows none of them.",
      },
    };
  }
}

/**
 * Reads a task folder's files into an (unchecked, unhashed) bundle document. Problems are
 * missing files and JSON syntax errors; `checkBundle` judges the content.
 */
export function documentFromFiles(files: TaskFiles): { document?: Omit<BundleDocument, "hash">; problems: Problem[] } {
  const problems: Problem[] = [];
  const json = (file: string): unknown => {
    const text = files[file];
    if (text === undefined) {
      problems.push({ severity: "error", file, message: "File is missing", hint: `Every task folder needs ${file}; \`ratchet generate task\` creates one.` });
      return undefined;
    }
    const parsed = parseJsonFile(file, text);
    if (parsed.problem) problems.push(parsed.problem);
    return parsed.value;
  };
  const metadata = json(TASK_FILES.metadata);
  const inputSchema = json(TASK_FILES.inputSchema);
  const outputSchema = json(TASK_FILES.outputSchema);
  const code = files[TASK_FILES.code];
  if (code === undefined) {
    problems.push({ severity: "error", file: TASK_FILES.code, message: "File is missing", hint: "Write the task as (function(input, context) { ... }) in main.js." });
  }
  const tests = Object.keys(files)
    .filter((path) => path.startsWith(`${TASK_FILES.testsDir}/`) && path.endsWith(".json"))
    .sort()
    .map((file) => ({ file, case: json(file) }));
  if (problems.length > 0) return { problems };
  return {
    problems,
    document: {
      format: BUNDLE_FORMAT,
      metadata: metadata as Record<string, unknown>,
      code: code as string,
      input_schema: inputSchema as Record<string, unknown>,
      output_schema: outputSchema as Record<string, unknown>,
      tests: tests as { file: string; case: Record<string, unknown> }[],
    },
  };
}

/** JSON with object keys sorted at every level: equal documents give equal text, hence equal hashes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Content hash of a bundle document: SHA-256 over its canonical JSON without the `hash` field. */
export async function hashDocument(document: Omit<BundleDocument, "hash"> & { hash?: string }): Promise<string> {
  const { hash: _ignored, ...content } = document;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJson(content)));
  return `sha256:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A bundle read back from storage, where it was put after validation: its content must still
 * hash to the hash it was stored under, so a damaged or swapped object is refused, not run.
 */
export async function restoreBundle(document: unknown, expectedHash: string): Promise<TaskBundle> {
  const actual = await hashDocument(document as BundleDocument);
  if (actual !== expectedHash) throw new Error(`stored bundle does not match its hash ${expectedHash} (it hashes to ${actual})`);
  return { ...(document as TaskBundle), hash: actual };
}
