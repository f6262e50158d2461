import { Option, type Command } from "commander";
import { parseSecretFlags } from "../../ops/secrets-file.ts";
import { testTask } from "../../ops/test.ts";
import { EXIT } from "../exit-codes.ts";
import { opContext, taskDirArgument, type CommandContext } from "./context.ts";
import { secretOption } from "./secret-option.ts";
import { FORMATTERS, REPORT_FORMATS, type ReportFormat } from "./test-report.ts";
import { watchAndRerun } from "./watch-loop.ts";

interface TestOptions {
  fromFs?: string;
  reportFormat: ReportFormat;
  watch?: boolean;
  passWithNoTests?: boolean;
  secret?: string[];
}

/** Runs the tests once and prints the report; the exit code a single run would have. */
async function testOnce(context: CommandContext, dir: string, options: TestOptions): Promise<number> {
  const report = await testTask(await opContext(context), dir, parseSecretFlags(options.secret));
  context.io.out(FORMATTERS[options.reportFormat](report));
  if (report.tests.length === 0) {
    if (options.passWithNoTests) return EXIT.ok;
    context.io.err(`warning: ${dir} has no tests (tests/*.json), so nothing was checked; add tests or pass --pass-with-no-tests`);
    return EXIT.failed;
  }
  return report.failed === 0 ? EXIT.ok : EXIT.failed;
}

export async function testCommand(context: CommandContext, dir: string, options: TestOptions): Promise<number> {
  const code = await testOnce(context, dir, options);
  if (!options.watch) return code;
  return watchAndRerun([dir], async () => void (await testOnce(context, dir, options)), context.io);
}

export function registerTest(program: Command, context: CommandContext): void {
  program
    .command("test")
    .description("run the task's tests/*.json; ends with the line 'N passed, M failed'")
    .argument("[dir]", "task folder")
    .option("--from-fs <dir>", "task folder (upstream spelling)")
    .addOption(new Option("--report-format <format>", "text, json, or junit (JUnit XML for CI)").choices(REPORT_FORMATS).default("text"))
    .option("--watch", "run the tests again on every change in the folder (Ctrl-C stops)")
    .option("--pass-with-no-tests", "exit 0 when the task has no tests")
    .addOption(secretOption())
    .action(async (dir: string | undefined, options: TestOptions) => context.setExit(await testCommand(context, taskDirArgument(dir, options), options)));
}
