import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { applyEdits, modify } from "jsonc-parser";
import { compileSchema, metadataSchema, TASK_FILES } from "../engine/index.ts";
import { UsageError } from "../cli/exit-codes.ts";

export type Metadata = Record<string, unknown>;

/** A task's metadata.json as text and as a value; a usage error naming the file when it is missing or not a JSON object. */
export async function readMetadataFile(dir: string): Promise<{ path: string; text: string; metadata: Metadata }> {
  const path = join(dir, TASK_FILES.metadata);
  const text = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`${path} cannot be read; is ${dir} a task folder?`);
  });
  let metadata: unknown;
  try {
    metadata = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw new UsageError(`${path} must hold a JSON object`);
  return { path, text, metadata: metadata as Metadata };
}

/** Checks metadata against the engine's schema; a usage error listing every issue with its JSON Pointer. */
export function checkMetadata(path: string, metadata: Metadata): void {
  const issues = compileSchema(metadataSchema).check(metadata);
  if (issues.length > 0) {
    throw new UsageError(`${path} would not be valid, nothing was written:\n${issues.map((i) => `  ${i.pointer || "(root)"}: ${i.message}`).join("\n")}`);
  }
}

/**
 * Writes the changed keys into the file's own text: existing keys keep their place, new ones
 * go last, untouched parts keep their formatting (2-space indentation for what is written).
 */
export async function writeMetadataChanges(path: string, text: string, changes: Metadata): Promise<void> {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let next = text;
  for (const [key, value] of Object.entries(changes)) {
    next = applyEdits(next, modify(next, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } }));
  }
  await writeFile(path, next);
}
