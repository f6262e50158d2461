import { join } from "node:path";
import { runProcess } from "./process.ts";

const ROOT = join(import.meta.dirname, "../..");

/** Builds dist/ (the CLI and the serve Worker) once per run, so end-to-end tests never run a stale build. */
export default async function setup() {
  const built = await runProcess(process.execPath, [join(ROOT, "scripts/build.ts")], ROOT);
  if (built.code !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
}
