import type { ExecutionRecord } from "../workspace/workspace.ts";
import type { CodeIndex } from "./code.ts";
import type { SourceLocation } from "./source.ts";

/** What every rule sees: the record, and the task's code and metadata at the version that ran (when they still exist). */
export interface AnalysisContext {
  record: ExecutionRecord & { error: NonNullable<ExecutionRecord["error"]> };
  code?: CodeIndex;
  metadata?: Record<string, unknown>;
  /** metadata.json as written, for a patch of it. */
  metadataText?: string;
  /** Where main.js failed, from the stack (`main.js:LINE:COL`). */
  location?: SourceLocation;
}

/** A file as a rule would change it; the analysis turns it into a unified diff. */
export interface FileChange {
  file: string;
  before: string;
  after: string;
}

/** One rule's reading of a failure. */
export interface Diagnosis {
  /** The rule family and case, e.g. "network/refused". */
  rule: string;
  /** What the error class means on Ratchet. */
  meaning: string;
  /** The likely cause in this execution. */
  cause: string;
  /** Concrete things to change, most likely first. */
  fixes: string[];
  /** Facts the rule found: offending paths, the undefined expression, the limit and its setting, failed requests. */
  details?: Record<string, unknown>;
  /** The fix as a change to a file, where one can be derived. */
  change?: FileChange;
  /** Overrides where the failure is pointed at (an output schema failure has no stack: the return statement). */
  location?: SourceLocation;
}

/** A rule family: answers a diagnosis when the failure is one of its cases. */
export type Rule = (context: AnalysisContext) => Diagnosis | undefined;
