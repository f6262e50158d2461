import { formatProblem, type Engine, type Problem } from "../../engine/index.ts";
import { EXIT } from "../exit-codes.ts";
import type { CliIo } from "../../ops/io.ts";
import { checkTaskFolder, invalidTaskMessage } from "../../ops/load.ts";

export interface ValidateOptions {
  /** Say what was checked, file by file. */
  verbose?: boolean;
  /** Warnings make the task invalid (exit 2), as errors do. */
  failOnWarnings?: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

function tally(problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return "ok";
  return [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
}

export async function validateCommand(engine: Engine, dir: string, options: ValidateOptions, io: CliIo): Promise<number> {
  const checked = await checkTaskFolder(engine, dir);
  const problems = checked.ok ? checked.warnings : checked.problems;
  for (const problem of problems) io.out(formatProblem(problem));
  if (options.verbose) {
    io.out(`checked ${dir}:`);
    // A missing file was not checked, but it has its problem to show.
    const unchecked = [...new Set(problems.map((p) => p.file))].filter((file) => !checked.checked.some((f) => f.file === file));
    for (const { file, checks } of [...checked.checked, ...unchecked.map((file) => ({ file, checks: [] }))]) {
      io.out(`  ${file}: ${tally(problems.filter((p) => p.file === file))}`);
      for (const check of checks) io.out(`    - ${check}`);
    }
  }
  if (!checked.ok) {
    io.err(`error: ${invalidTaskMessage(dir, problems)}`);
    return EXIT.usage;
  }
  const { bundle, warnings } = checked;
  if (options.failOnWarnings && warnings.length > 0) {
    io.err(`error: ${dir} has ${plural(warnings.length, "warning")} and --fail-on-warnings treats them as errors`);
    return EXIT.usage;
  }
  const tests = plural(bundle.tests.length, "test");
  const warned = warnings.length > 0 ? ` (${plural(warnings.length, "warning")})` : "";
  io.out(`ok: ${dir} is a valid task${warned}: ${bundle.metadata.label} ${bundle.metadata.version}, ${tests}, ${bundle.hash}`);
  return EXIT.ok;
}
