import { relative } from "node:path";
import { watchPaths } from "../../ops/watch.ts";
import { EXIT } from "../exit-codes.ts";
import { untilInterrupted } from "../interrupt.ts";
import type { CliIo } from "../../ops/io.ts";

/**
 * After a first run, runs again on every change of the watched paths until Ctrl-C. A run that
 * fails to start (the task became invalid, the input file is not JSON) is reported and the watch goes on.
 */
export async function watchAndRerun(paths: string[], run: () => Promise<void>, io: CliIo): Promise<number> {
  const watching = await watchPaths(paths, async (changed) => {
    io.err(`--- ${changed.map((path) => relative(process.cwd(), path) || path).join(", ")} changed; running again`);
    try {
      await run();
    } catch (error) {
      io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  io.err(`watching ${paths.join(", ")} for changes (Ctrl-C stops)`);
  await untilInterrupted();
  watching.close();
  return EXIT.ok;
}
