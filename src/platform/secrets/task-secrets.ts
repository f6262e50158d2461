import { secretProblem, type SecretValues } from "../../engine/index.ts";
import { deleteSecret, deleteTaskSecrets, listSealedSecrets, listSecretNames, upsertSecret, type SecretListing } from "../../store/secrets.ts";
import { openDb } from "../../store/tasks.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { ttlMs } from "../version-cache.ts";
import { cachedSecrets, forgetSecrets, rememberSecrets, secretsGeneration } from "./cache.ts";
import { openSecret, sealSecret } from "./cipher.ts";
import { secretsKey } from "./key.ts";

/** 400 naming what is wrong with a secret's name (or value), never quoting the value. */
function checkSecret(name: string, value?: string): void {
  const problem = secretProblem(name, value);
  if (problem !== undefined) throw new ApiError(400, "invalid_secret", problem.charAt(0).toUpperCase() + problem.slice(1));
}

/** Encrypts and stores task `task`'s secret `name` (replacing it); whether it was new. */
export async function putTaskSecret(env: Env, task: string, name: string, value: string): Promise<{ created: boolean }> {
  checkSecret(name, value);
  const sealed = await sealSecret(await secretsKey(env), task, name, value);
  const outcome = await upsertSecret(openDb(env.DB), { taskName: task, name, ...sealed }, new Date().toISOString());
  forgetSecrets(task);
  return outcome;
}

/** A task's secret names and times; never a value. */
export function listTaskSecrets(env: Env, task: string): Promise<SecretListing[]> {
  return listSecretNames(openDb(env.DB), task);
}

/** Deletes one secret of a task; 404 when it has none of that name. */
export async function deleteTaskSecret(env: Env, task: string, name: string): Promise<void> {
  checkSecret(name);
  const existed = await deleteSecret(openDb(env.DB), task, name);
  forgetSecrets(task);
  if (!existed) throw new ApiError(404, "not_found", `Task ${task} has no secret ${name}`);
}

/** Deletes every secret of a task (the task itself is being deleted). */
export async function removeTaskSecrets(env: Env, task: string): Promise<void> {
  await deleteTaskSecrets(openDb(env.DB), task);
  forgetSecrets(task);
}

/**
 * A task's decrypted secrets for a run, or undefined when it has none. Cached per isolate for
 * VERSION_CACHE_TTL_MS like the version lookup, the fact "no secrets" included, so a task
 * without secrets costs one small D1 read per TTL and no decryption. The key is only needed
 * when there is something to decrypt.
 */
export async function secretsForRun(env: Env, task: string): Promise<SecretValues | undefined> {
  const now = Date.now();
  const cached = cachedSecrets(task, now);
  if (cached) return cached.values ?? undefined;
  const generation = secretsGeneration();
  const rows = await listSealedSecrets(openDb(env.DB), task);
  let values: SecretValues | null = null;
  if (rows.length > 0) {
    const key = await secretsKey(env);
    const opened = await Promise.all(rows.map(async (row) => [row.name, await openSecret(key, task, row.name, row)] as const));
    values = Object.freeze(Object.fromEntries(opened));
  }
  rememberSecrets(task, values, now + ttlMs(env), generation);
  return values ?? undefined;
}
