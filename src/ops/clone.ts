import { cp, rm, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { TASK_FILES } from "../engine/index.ts";
import { UsageError } from "./errors.ts";
import { checkMetadata, readMetadataFile, writeMetadataChanges } from "./metadata-file.ts";
import { labelFromFolder } from "./names.ts";
import { SECRETS_FILE } from "./secrets-file.ts";
import { openTask, type TaskOpContext } from "./task.ts";

export interface CloneOptions {
  /** Give the copy a label from its folder name and version 1.0.0 (default); its uuid is always new. */
  updateMetadata?: boolean;
  /** Leave tests/ out of the copy. */
  clearTests?: boolean;
}

export interface CloneResult {
  dir: string;
  uuid: string;
  label: string;
  version: string;
  tests: number;
}

/** Copies a valid task folder to a new one that is a task of its own, and checks that the copy validates. */
export async function cloneTask(context: Pick<TaskOpContext, "engine" | "onProblem">, source: string, target: string, options: CloneOptions = {}): Promise<CloneResult> {
  if (await stat(target).catch(() => undefined)) throw new UsageError(`${target} already exists; clone refuses to overwrite it (choose another folder or remove it)`);
  if (resolve(target).startsWith(resolve(source) + sep)) throw new UsageError(`${target} is inside ${source}; a task cannot be copied into itself`);
  await openTask(context, source);
  // The source's secrets stay with it: a clone is another task, which gets its own.
  const secrets = resolve(source, SECRETS_FILE);
  await cp(source, target, { recursive: true, errorOnExist: true, force: false, filter: (path) => resolve(path) !== secrets });
  try {
    if (options.clearTests) await rm(join(target, TASK_FILES.testsDir), { recursive: true, force: true });
    const { path, text, metadata } = await readMetadataFile(target);
    const changes = { uuid: crypto.randomUUID(), ...(options.updateMetadata === false ? {} : { label: labelFromFolder(target), version: "1.0.0" }) };
    checkMetadata(path, { ...metadata, ...changes });
    await writeMetadataChanges(path, text, changes);
    const copy = await openTask(context, target);
    return { dir: target, uuid: copy.metadata.uuid, label: copy.metadata.label, version: copy.metadata.version, tests: copy.tests.length };
  } catch (error) {
    // A copy that is not a valid task of its own is not left behind.
    await rm(target, { recursive: true, force: true });
    throw error;
  }
}
