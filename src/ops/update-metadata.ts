import { parseMemorySize } from "../engine/index.ts";
import { UsageError } from "./errors.ts";
import { checkMetadata, readMetadataFile, writeMetadataChanges, type Metadata } from "./metadata-file.ts";

export interface MetadataUpdate {
  timeout?: number;
  addTags?: string[];
  removeTags?: string[];
  version?: string;
  memoryLimit?: string;
}

export interface MetadataUpdateResult {
  file: string;
  /** The keys written with their new values (empty when nothing changed). */
  changes: Metadata;
  /** What was asked and had nothing to do, e.g. removing a tag the task does not have. */
  notes: string[];
  metadata: Metadata;
}

const UNITS: Record<string, string> = { B: "B", KB: "KB", KIB: "KiB", MB: "MB", MIB: "MiB", GB: "GB", GIB: "GiB" };

/** "128mb" as the schema spells it ("128MB"); text that is no size is returned as given, for the schema check to name. */
function canonicalMemoryLimit(text: string): string {
  if (parseMemorySize(text) === undefined) return text;
  const [, amount, unit] = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)!;
  return `${amount}${UNITS[(unit || "B").toUpperCase()]}`;
}

/** Updates a task's metadata.json. The new metadata is checked against the engine's schema first; on any issue nothing is written. */
export async function updateTaskMetadata(dir: string, update: MetadataUpdate): Promise<MetadataUpdateResult> {
  const asked = [update.timeout, update.version, update.memoryLimit].some((v) => v !== undefined) || (update.addTags?.length ?? 0) + (update.removeTags?.length ?? 0) > 0;
  if (!asked) throw new UsageError("nothing to update: give --timeout, --add-tag, --remove-tag, --set-version or --memory-limit");
  const { path, text, metadata } = await readMetadataFile(dir);
  const wanted: Metadata = {};
  const notes: string[] = [];
  if (update.timeout !== undefined) wanted.timeout = update.timeout;
  if (update.version !== undefined) wanted.version = update.version;
  if (update.memoryLimit !== undefined) wanted.memory_limit = canonicalMemoryLimit(update.memoryLimit);
  if (update.addTags?.length || update.removeTags?.length) {
    const current = Array.isArray(metadata.tags) ? (metadata.tags as unknown[]) : [];
    const tags = [...current];
    for (const tag of update.addTags ?? []) {
      if (tags.includes(tag)) notes.push(`tag "${tag}" is already there`);
      else tags.push(tag);
    }
    for (const tag of update.removeTags ?? []) {
      const at = tags.indexOf(tag);
      if (at === -1) notes.push(`tag "${tag}" is not there`);
      else tags.splice(at, 1);
    }
    wanted.tags = tags;
  }
  const changes = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => JSON.stringify(metadata[key]) !== JSON.stringify(value)));
  const next = { ...metadata, ...changes };
  checkMetadata(path, next);
  if (Object.keys(changes).length > 0) await writeMetadataChanges(path, text, changes);
  return { file: path, changes, notes, metadata: next };
}
