import type { TaskTestReport } from "../../ops/test.ts";

export const REPORT_FORMATS = ["text", "json", "junit"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const indent = (text: string) => text.split("\n").map((line) => `      ${line}`).join("\n");

/** One line per test, a reason and diff under each failure, then "N passed, M failed". */
export function textReport(report: TaskTestReport): string {
  const lines: string[] = [];
  for (const test of report.tests) {
    const ms = `${Math.round(test.result.durationMs)} ms`;
    if (test.passed) {
      lines.push(`  PASS ${test.name} (${test.file}, ${ms})`);
      continue;
    }
    lines.push(`  FAIL ${test.name} (${test.file}, ${ms})`, `      ${test.failure}`);
    if (test.result.error?.stack) lines.push(indent(test.result.error.stack.trim()));
    if (test.diff) lines.push(indent(test.diff));
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join("\n");
}

/** The report for programs: every test with its outcome, output or error, and the diff of a failure. */
export function jsonReport(report: TaskTestReport): string {
  return JSON.stringify(
    {
      task: report.task,
      passed: report.passed,
      failed: report.failed,
      durationMs: Math.round(report.durationMs),
      tests: report.tests.map((test) => ({
        file: test.file,
        name: test.name,
        passed: test.passed,
        durationMs: Math.round(test.result.durationMs),
        ...(test.failure ? { failure: test.failure } : {}),
        ...(test.diff ? { diff: test.diff } : {}),
        ...(test.result.status === "completed" ? { output: test.result.output } : { error: test.result.error }),
      })),
    },
    null,
    2,
  );
}

/** XML 1.0 text: markup characters escaped, characters XML cannot hold at all dropped. */
function xml(text: string): string {
  const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "").replace(/[&<>"']/g, (c) => escapes[c]!);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML as CI servers read it: one testsuite for the task, one testcase per test, a failure element with message and diff. */
export function junitReport(report: TaskTestReport): string {
  const suite = `${report.task.label} ${report.task.version}`;
  const total = report.tests.length;
  const cases = report.tests.map((test) => {
    const open = `    <testcase name="${xml(test.name)}" classname="${xml(suite)}" file="${xml(test.file)}" time="${seconds(test.result.durationMs)}"`;
    if (test.passed) return `${open}/>`;
    const type = test.result.error?.type ?? "AssertionError";
    const details = [test.failure, test.diff, test.result.error?.stack].filter(Boolean).join("\n\n");
    return `${open}>\n      <failure message="${xml(test.failure ?? "failed")}" type="${xml(type)}">${xml(details)}</failure>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="ratchet" tests="${total}" failures="${report.failed}" errors="0" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${xml(suite)}" tests="${total}" failures="${report.failed}" errors="0" skipped="0" time="${seconds(report.durationMs)}" timestamp="${new Date().toISOString()}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
  ].join("\n");
}

export const FORMATTERS: Record<ReportFormat, (report: TaskTestReport) => string> = { text: textReport, json: jsonReport, junit: junitReport };
