/**
 * Packs every task folder under tasks/ into its canonical bundle document, validated by the
 * engine, into src/platform/generated/tasks.json (dot-folders such as .ratchet/, the local history, are not tasks). The Worker ships that file and registers the
 * bundles by content hash, so deploying the Worker deploys its tasks.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLocalEngine } from "../src/ops/local-engine.ts";
import { readTaskFolder } from "../src/ops/task-folder.ts";
import { formatProblem } from "../src/engine/index.ts";

const root = join(import.meta.dirname, "..");
const tasksDir = join(root, "tasks");
const out = join(root, "src/platform/generated/tasks.json");

const engine = createLocalEngine();
const names = (await readdir(tasksDir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
const packed = [];
for (const name of names) {
  const checked = await engine.loadFiles(await readTaskFolder(join(tasksDir, name)));
  if (!checked.ok) {
    console.error(`tasks/${name} is not valid:\n${checked.problems.map(formatProblem).join("\n")}`);
    process.exit(2);
  }
  packed.push({ name, hash: checked.bundle.hash, document: checked.bundle });
}
await mkdir(join(root, "src/platform/generated"), { recursive: true });
await writeFile(out, `${JSON.stringify(packed)}\n`);
console.log(`packed ${packed.length} tasks into ${out.slice(root.length + 1)}`);
