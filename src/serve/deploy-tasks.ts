import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { TASK_FILES, type Engine, type TaskBundle } from "../engine/index.ts";
import { ApiClient, describeApiError, type ApiOptions } from "../ops/api-client.ts";
import type { CliIo } from "../ops/io.ts";
import { loadTask } from "../ops/load.ts";
import { readLocalSecrets, SECRETS_FILE } from "../ops/secrets-file.ts";
import { readTaskFolder } from "../ops/task-folder.ts";
import { devVersion } from "../platform/dev-version.ts";

/** The task folders under a tasks folder: its subfolders, hidden ones (.git) left out. */
export async function taskFolders(tasksDir: string): Promise<string[]> {
  const entries = await readdir(tasksDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
}

/**
 * The folder's bundle with a development version, `1.0.0+dev.<content hash>`: versions are
 * immutable, so an edit saved without bumping metadata.json's version is served under its own.
 */
async function devBundle(engine: Engine, dir: string, bundle: TaskBundle): Promise<TaskBundle> {
  const files = await readTaskFolder(dir);
  const metadata = JSON.parse(files[TASK_FILES.metadata]!) as { version: string };
  metadata.version = devVersion(bundle.metadata.version, bundle.hash);
  const checked = await engine.loadFiles({ ...files, [TASK_FILES.metadata]: JSON.stringify(metadata) });
  if (!checked.ok) throw new Error(`${dir}: the development version ${metadata.version} does not validate`);
  return checked.bundle;
}

/**
 * Puts the folder's `.secrets` through the API, so a task served locally reads the same
 * context.secrets as under run-once. Secrets are only added or replaced: one put with `ratchet
 * secret put` and absent from the file stays. A bad file or a refused secret is reported; the
 * task stays deployed.
 */
async function sendSecrets(client: ApiClient, dir: string, name: string, say: (line: string) => void): Promise<void> {
  let secrets;
  try {
    secrets = await readLocalSecrets(dir);
  } catch (error) {
    return say(`secrets not sent: ${(error as Error).message}`);
  }
  for (const [key, value] of Object.entries(secrets ?? {})) {
    const reply = await client.request("PUT", `/tasks/${encodeURIComponent(name)}/secrets/${key}`, { value });
    if (reply.status !== 200 && reply.status !== 201) say(`secret ${key} not sent: ${describeApiError(reply)}`);
  }
  if (secrets) say(`secrets from ${SECRETS_FILE} sent: ${Object.keys(secrets).join(", ")}`);
}

/**
 * Deploys one task folder through the Worker's API (PUT /api/v1/tasks/NAME with the engine's
 * bundle, as `ratchet deploy`). An invalid folder is reported with every problem and skipped;
 * nothing is thrown. Resolves to whether the task is deployed.
 */
export async function deployTaskFolder(engine: Engine, tasksDir: string, name: string, api: ApiOptions, io: CliIo): Promise<boolean> {
  const dir = join(tasksDir, name);
  const say = (line: string) => io.err(`  ${name}: ${line}`);
  try {
    const client = new ApiClient(api);
    let bundle = await loadTask(engine, dir, say);
    const put = (b: TaskBundle) => client.request("PUT", `/tasks/${encodeURIComponent(name)}`, b);
    let reply = await put(bundle);
    if (reply.status === 409 && reply.body?.error?.code === "version_conflict") {
      const named = bundle.metadata.version;
      bundle = await devBundle(engine, dir, bundle);
      say(`version ${named} is deployed with other content; serving this edit as ${bundle.metadata.version} (bump metadata.json "version" to name it)`);
      reply = await put(bundle);
    }
    if (reply.status !== 200 && reply.status !== 201) {
      say(`not deployed: ${describeApiError(reply)}`);
      return false;
    }
    io.out(`  ${name}: ${reply.body.outcome} (version ${reply.body.task.current_version.version}, ${bundle.hash})`);
    await sendSecrets(client, dir, name, say);
    return true;
  } catch (error) {
    say(`skipped: ${(error as Error).message}`);
    return false;
  }
}
