import type { Command } from "commander";
import { cloneTask } from "../../ops/clone.ts";
import { EXIT } from "../exit-codes.ts";
import type { CommandContext } from "./context.ts";

interface CloneOptions {
  updateMetadata: boolean;
  clearTests?: boolean;
}

export function registerClone(program: Command, context: CommandContext): void {
  program
    .command("clone")
    .description("copy things")
    .command("task")
    .description("copy a task folder into a new task: new uuid, label from the new folder's name, version 1.0.0")
    .argument("<src>", "the task folder to copy")
    .argument("<dst>", "the new folder (must not exist)")
    .option("--update-metadata", "give the copy a label from its folder name and version 1.0.0 (the default)", true)
    .option("--no-update-metadata", "keep the label and version (the uuid is always new)")
    .option("--clear-tests", "leave tests/ out of the copy")
    .action(async (src: string, dst: string, options: CloneOptions) => {
      const copy = await cloneTask({ engine: context.engine, onProblem: context.io.err }, src, dst, options);
      context.io.out(`cloned ${src} to ${copy.dir}: ${copy.label} ${copy.version}, uuid ${copy.uuid}, ${copy.tests} test${copy.tests === 1 ? "" : "s"}; it validates`);
      context.setExit(EXIT.ok);
    });
}
