import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import { REDACTED, type TestCase } from "../engine/index.ts";
import type { ExecutionRecord } from "../workspace/workspace.ts";
import { CATALOGUE } from "./catalogue.ts";
import { CodeIndex } from "./code.ts";
import { contextLines, locationFromStack, shortStack, type ContextLine } from "./source.ts";
import type { AnalysisContext, Diagnosis } from "./types.ts";

export interface Analysis {
  error_class: string;
  message: string;
  meaning: string;
  rule: string;
  cause: string;
  fixes: string[];
  details: Record<string, unknown>;
  /** The failing line of main.js with three lines either side; null when neither stack nor code locate it. */
  location: { file: "main.js"; line: number; column: number; context: ContextLine[] } | null;
  stack: string | null;
  /** Other rules that match this failure: contributing causes. */
  also: { rule: string; cause: string }[];
  /** With suggestions: the fix as a unified diff, where one can be derived. */
  patch?: { file: string; diff: string } | null;
  /** With suggestions: a test case that reproduces the failure. */
  test_case?: TestCase & { name: string };
  notes: string[];
}

const TEST_INPUT_CHARS = 24_000;

const hasRedacted = (value: unknown): boolean =>
  value === REDACTED || (typeof value === "object" && value !== null && Object.values(value).some(hasRedacted));

/** The task's files at the version that ran, as far as they are still known. */
export interface TaskSource {
  code?: string;
  metadataText?: string;
}

/** Reads a failed execution with the rule catalogue. Pure: no I/O, no network. */
export function analyzeFailure(record: ExecutionRecord, source: TaskSource, options: { includeSuggestions: boolean }): Analysis {
  if (!record.error) throw new Error("analyzeFailure needs a failed execution");
  const code = source.code === undefined ? undefined : new CodeIndex(source.code);
  let metadata: Record<string, unknown> | undefined;
  try {
    metadata = source.metadataText === undefined ? undefined : (JSON.parse(source.metadataText) as Record<string, unknown>);
  } catch {
    metadata = undefined;
  }
  const context: AnalysisContext = {
    record: record as AnalysisContext["record"],
    ...(code ? { code } : {}),
    ...(metadata ? { metadata, metadataText: source.metadataText } : {}),
    ...(locationFromStack(record.error.stack) ? { location: locationFromStack(record.error.stack) } : {}),
  };
  const matches = CATALOGUE.map((rule) => rule(context)).filter((d): d is Diagnosis => d !== undefined);
  const diagnosis = matches[0]!;
  const at = diagnosis.location ?? context.location;
  const notes: string[] = [];
  if (!code) notes.push("main.js at the version that ran is no longer available: the failing line cannot be shown.");
  const analysis: Analysis = {
    error_class: record.error.type,
    message: record.error.message,
    meaning: diagnosis.meaning,
    rule: diagnosis.rule,
    cause: diagnosis.cause,
    fixes: diagnosis.fixes,
    // What contributing rules found (the expression that was undefined behind an unchecked status) completes the diagnosis.
    details: Object.assign({}, ...matches.slice(1).reverse().map((d) => d.details ?? {}), diagnosis.details ?? {}),
    location: at && code ? { file: "main.js", line: at.line, column: at.column, context: contextLines(code.text, at.line) } : null,
    stack: shortStack(record.error.stack) ?? null,
    also: matches.slice(1, -1).map((d) => ({ rule: d.rule, cause: d.cause })),
    notes,
  };
  if (options.includeSuggestions) {
    const change = diagnosis.change ?? matches.find((d) => d.change)?.change;
    analysis.patch = change ? { file: change.file, diff: createTwoFilesPatch(`a/${change.file}`, `b/${change.file}`, change.before, change.after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY }) } : null;
    if (!change) notes.push("No patch can be derived for this failure: apply the fixes above by hand.");
    const inputFits = JSON.stringify(record.input ?? null).length <= TEST_INPUT_CHARS;
    analysis.test_case = {
      name: `reproduces ${record.error.type} of execution ${record.id}`,
      description: `Fails as execution ${record.id} did. Once fixed, replace expected_error with the expected_output.`,
      input: inputFits ? record.input : null,
      expected_error: { type: record.error.type },
    };
    if (!inputFits) notes.push(`The input is too large to repeat here: copy it from ratchet://executions/${record.id} into the test case.`);
    if (hasRedacted(record.input)) notes.push(`The recorded input has secrets replaced by "${REDACTED}": put real (test) values into the test case's input.`);
  }
  return analysis;
}
