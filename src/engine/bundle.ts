import { parse as parseTolerant, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { BUNDLE_FORMAT, type BundleDocument, type TaskMetadata, type TestCase } from "./documents.ts";
import { nestsDeeperThan, TOO_NESTED } from "./json-depth.ts";
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

/** jsonc-parser descends recursively: text nested past the stack gets no position, only JSON.parse's message. */
function syntaxErrors(text: string): ParseError[] {
  const errors: ParseError[] = [];
  try {
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return [];
  }
  return errors;
}

/** Parses JSON text, reporting a syntax error with its line and column. */
export function parseJsonFile(file: string, text: string): { value?: unknown; problem?: Problem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse does not always say where it failed; jsonc-parser (in strict mode) does.
    const first = syntaxErrors(text)[0];
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
  // Hashing and checking a value recurse through it; past this depth they would overflow the stack.
  if (nestsDeeperThan(value)) return { problem: { severity: "error", file, message: `The JSON is ${TOO_NESTED}`, hint: "Flatten the data." } };
  return { value };
}

/** A task folder's parts as far as they could be read: a part that is missing or does not parse is absent. */
export interface TaskParts {
  metadata?: unknown;
  code?: string;
  input_schema?: unknown;
  output_schema?: unknown;
  tests: { file: string; case?: unknown }[];
}

/**
 * Reads a task folder's files into an (unchecked, unhashed) bundle document. Problems are
 * missing files and JSON syntax errors; `checkBundle` judges the content. `parts` holds
 * whatever did parse, so the other files can be judged even when one is broken.
 */
export function documentFromFiles(files: TaskFiles): { document?: Omit<BundleDocument, "hash">; parts: TaskParts; problems: Problem[] } {
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
  const parts: TaskParts = {
    metadata: json(TASK_FILES.metadata),
    code: files[TASK_FILES.code],
    input_schema: json(TASK_FILES.inputSchema),
    output_schema: json(TASK_FILES.outputSchema),
    tests: Object.keys(files)
      .filter((path) => path.startsWith(`${TASK_FILES.testsDir}/`) && path.endsWith(".json"))
      .sort()
      .map((file) => ({ file, case: json(file) })),
  };
  if (parts.code === undefined) {
    problems.push({ severity: "error", file: TASK_FILES.code, message: "File is missing", hint: "Write the task as (function(input, context) { ... }) in main.js." });
  }
  if (problems.length > 0) return { parts, problems };
  return {
    parts,
    problems,
    document: {
      format: BUNDLE_FORMAT,
      metadata: parts.metadata as Record<string, unknown>,
      code: parts.code as string,
      input_schema: parts.input_schema as Record<string, unknown>,
      output_schema: parts.output_schema as Record<string, unknown>,
      tests: parts.tests as { file: string; case: Record<string, unknown> }[],
    },
  };
}

/**
 * Line and column of what a JSON Pointer names in JSON text: the property's key, an array's
 * item, or the deepest part of the path that exists (a missing property is reported at the
 * object that lacks it). Undefined when the text does not parse.
 */
export function locatePointer(text: string, pointer: string): { line: number; column: number } | undefined {
  const errors: ParseError[] = [];
  let node: Node | undefined;
  try {
    node = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return undefined;
  }
  if (!node || errors.length > 0) return undefined;
  let offset = node.offset;
  const segments = pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  for (const segment of segments) {
    if (node.type === "object") {
      const property: Node | undefined = node.children?.find((p) => p.children?.[0]?.value === segment);
      if (!property) break;
      offset = property.offset;
      node = property.children?.[1];
    } else if (node.type === "array") {
      node = node.children?.[Number(segment)];
      if (node) offset = node.offset;
    } else {
      break;
    }
    if (!node) break;
  }
  return lineAndColumn(text, offset);
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

/** A bundle document as the task folder it came from: the files `documentFromFiles` reads, JSON with two-space indents. */
export function filesFromDocument(document: Pick<BundleDocument, "metadata" | "code" | "input_schema" | "output_schema" | "tests">): TaskFiles {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: TaskFiles = {
    [TASK_FILES.metadata]: json(document.metadata),
    [TASK_FILES.code]: document.code,
    [TASK_FILES.inputSchema]: json(document.input_schema),
    [TASK_FILES.outputSchema]: json(document.output_schema),
  };
  for (const test of document.tests) files[test.file] = json(test.case);
  return files;
}
