import type { Engine } from "../../engine/index.ts";
import { EXIT } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { loadTask } from "../load.ts";

export async function validateCommand(engine: Engine, dir: string, io: CliIo): Promise<number> {
  const bundle = await loadTask(engine, dir, io.out);
  io.out(`ok: ${dir} is a valid task: ${bundle.metadata.label} ${bundle.metadata.version}, ${bundle.tests.length} test${bundle.tests.length === 1 ? "" : "s"}, ${bundle.hash}`);
  return EXIT.ok;
}
