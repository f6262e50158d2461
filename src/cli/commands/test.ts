import { runTests, type Engine } from "../../engine/index.ts";
import type { CliConfig } from "../config.ts";
import { EXIT } from "../exit-codes.ts";
import { platformFetch, type CliIo } from "../io.ts";
import { loadTask } from "../load.ts";

const indent = (text: string) => text.split("\n").map((line) => `      ${line}`).join("\n");

export async function testCommand(engine: Engine, dir: string, config: CliConfig, io: CliIo): Promise<number> {
  const bundle = await loadTask(engine, dir, io.err);
  const report = await runTests(engine, bundle, { fetch: platformFetch, limits: config.limits, validateSchemas: config.validateSchemas });
  for (const test of report.tests) {
    const ms = `${Math.round(test.result.durationMs)} ms`;
    if (test.passed) {
      io.out(`  PASS ${test.name} (${test.file}, ${ms})`);
      continue;
    }
    io.out(`  FAIL ${test.name} (${test.file}, ${ms})`);
    io.out(`      ${test.failure}`);
    if (test.result.error?.stack) io.out(indent(test.result.error.stack.trim()));
    if (test.diff) io.out(indent(test.diff));
  }
  io.out(`${report.passed} passed, ${report.failed} failed`);
  return report.failed === 0 ? EXIT.ok : EXIT.failed;
}
