/**
 * `npm start`: runs the product's main job on its embedded defaults. Until the Worker
 * (HTTP serving of deployed tasks) exists, that is validating and testing every sample
 * task under tasks/ through the CLI.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../src/cli/main.ts";

const root = join(import.meta.dirname, "..", "tasks");
const tasks = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
console.log(`Ratchet: the HTTP Worker is not built yet, so npm start runs the sample task suite through the CLI (${tasks.length} tasks in tasks/).\n`);

let failed = 0;
for (const task of tasks) {
  console.log(`== ${task}`);
  const code = await runCli(["test", join(root, task)]);
  if (code !== 0) failed += 1;
}
console.log(failed === 0 ? `\nAll ${tasks.length} sample tasks pass.` : `\n${failed} of ${tasks.length} sample tasks failed.`);
process.exitCode = failed === 0 ? 0 : 1;
