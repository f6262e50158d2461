import type { Node, Program } from "acorn";

export type Severity = "error" | "warning";

/** One broken do or don't of the task guide, at a place in main.js. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** 1-based, as editors count. */
  line: number;
  column: number;
  message: string;
  /** How to fix it. */
  hint: string;
}

/** What a rule says about one node: the rule adds its id, severity and hint. */
export interface RuleHit {
  node: Node;
  message: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** What the guide says to do instead; printed under every finding of the rule. */
  hint: string;
  check(program: Program, scope: Scope): RuleHit[];
}

/** What the whole file declares, so a task's own `process` or `fs` variable is not taken for Node's. */
export interface Scope {
  declared: ReadonlySet<string>;
  /** metadata.json's network.allow, when the task declares one. */
  networkAllow?: readonly string[];
}
