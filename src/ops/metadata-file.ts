import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { applyEdits, findNodeAtLocation, modify, parseTree } from "jsonc-parser";
import { compileSchema, metadataSchema, TASK_FILES } from "../engine/index.ts";
import { UsageError } from "./errors.ts";

export type Metadata = Record<string, unknown>;

/** A task's metadata.json as text and as a value; a usage error naming the file when it is missing or not a JSON object. */
export async function readMetadataFile(dir: string): Promise<{ path: string; text: string; metadata: Metadata }> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a task folder (no such directory)`);
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

/** An array kept on one line as the file had it, e.g. ["a", "b"]; anything else as compact JSON. */
const oneLine = (value: unknown) => (Array.isArray(value) ? `[${value.map((item) => JSON.stringify(item)).join(", ")}]` : JSON.stringify(value));

/**
 * Writes the changed keys into the file's own text: existing keys keep their place (and a value
 * written on one line stays on one line), new ones go last, untouched parts keep their formatting,
 * and what is newly laid out is indented by 2 spaces.
 */
export async function writeMetadataChanges(path: string, text: string, changes: Metadata): Promise<void> {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let next = text;
  for (const [key, value] of Object.entries(changes)) {
    const tree = parseTree(next);
    const old = tree && findNodeAtLocation(tree, [key]);
    const oldText = old && next.slice(old.offset, old.offset + old.length);
    next =
      old && oldText !== undefined && !oldText.includes("\n")
        ? next.slice(0, old.offset) + oneLine(value) + next.slice(old.offset + old.length)
        : applyEdits(next, modify(next, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } }));
  }
  await writeFile(path, next);
}
