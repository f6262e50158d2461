import type { Command } from "commander";
import { updateTaskMetadata } from "../../ops/update-metadata.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CommandContext } from "./context.ts";

interface UpdateOptions {
  timeout?: string;
  addTag: string[];
  removeTag: string[];
  setVersion?: string;
  memoryLimit?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerUpdateMetadata(program: Command, context: CommandContext): void {
  program
    .command("update")
    .description("change things in place")
    .command("task-metadata")
    .description("change a task's metadata.json; the result is checked before anything is written")
    .argument("<dir>", "task folder")
    .option("--timeout <ms>", "wall-clock limit in ms")
    .option("--add-tag <tag>", "add a tag (repeatable)", collect, [])
    .option("--remove-tag <tag>", "remove a tag (repeatable)", collect, [])
    .option("--set-version <version>", "semantic version, e.g. 2.0.0")
    .option("--memory-limit <size>", 'memory limit such as "128MB"')
    .action(async (dir: string, options: UpdateOptions) => {
      if (options.timeout !== undefined && !/^\d+$/.test(options.timeout)) throw new UsageError(`--timeout must be a whole number of milliseconds, not "${options.timeout}"`);
      const result = await updateTaskMetadata(dir, {
        timeout: options.timeout === undefined ? undefined : Number(options.timeout),
        addTags: options.addTag,
        removeTags: options.removeTag,
        version: options.setVersion,
        memoryLimit: options.memoryLimit,
      });
      for (const note of result.notes) context.io.err(`note: ${note}`);
      const changed = Object.entries(result.changes);
      if (changed.length === 0) context.io.out(`${result.file}: nothing changed`);
      for (const [key, value] of changed) context.io.out(`${result.file}: ${key} = ${JSON.stringify(value)}`);
      context.setExit(EXIT.ok);
    });
}
