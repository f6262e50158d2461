import type { Command } from "commander";
import { registerClone } from "./clone.ts";
import type { CommandContext } from "./context.ts";
import { registerLint } from "./lint.ts";
import { registerRunBatch } from "./run-batch.ts";
import { registerTest } from "./test.ts";
import { registerUpdateMetadata } from "./update-metadata.ts";
import { registerWatch } from "./watch.ts";

/** The guide's dev-loop commands, each a thin layer over src/ops. */
export function registerDevLoopCommands(program: Command, context: CommandContext): void {
  registerTest(program, context);
  registerRunBatch(program, context);
  registerWatch(program, context);
  registerLint(program, context);
  registerClone(program, context);
  registerUpdateMetadata(program, context);
}
