import { Option, type Command } from "commander";
import { LintParseError, lintTask, type LintReport } from "../../ops/lint/lint.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CommandContext } from "./context.ts";

function textReport(report: LintReport): string {
  const lines = report.findings.flatMap((f) => [`${report.file}:${f.line}:${f.column} ${f.rule}: ${f.message} (${f.severity})`, `    hint: ${f.hint}`]);
  lines.push(`${report.errors} error${report.errors === 1 ? "" : "s"}, ${report.warnings} warning${report.warnings === 1 ? "" : "s"}`);
  return lines.join("\n");
}

export async function lintCommand(context: CommandContext, dir: string, format: "text" | "json"): Promise<number> {
  let report: LintReport;
  try {
    report = await lintTask(dir);
  } catch (error) {
    if (error instanceof LintParseError) throw new UsageError(`${dir}/main.js:${error.line}:${error.column}: main.js does not parse: ${error.message}`);
    throw error;
  }
  context.io.out(format === "json" ? JSON.stringify(report, null, 2) : textReport(report));
  return report.errors > 0 ? EXIT.failed : EXIT.ok;
}

export function registerLint(program: Command, context: CommandContext): void {
  program
    .command("lint")
    .description("check main.js against the task guide's do's and don'ts; exit 1 on an error-level finding")
    .argument("<dir>", "task folder")
    .addOption(new Option("--format <format>", "text or json").choices(["text", "json"]).default("text"))
    .action(async (dir: string, options: { format: "text" | "json" }) => context.setExit(await lintCommand(context, dir, options.format)));
}
