import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes a build output through a temporary file and a rename: a test or command running
 * while another build writes (helpers and vitest runs build concurrently) reads the old file
 * or the new one, never half of one.
 */
export async function writeAtomic(file: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}
