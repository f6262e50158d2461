import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { v7 as uuidv7 } from "uuid";
import type { TaskFiles } from "../../engine/index.ts";
import { WorkspaceError, type BackupInfo } from "../../workspace/workspace.ts";
import { readTaskFolder } from "../task-folder.ts";
import { writeTaskFolder } from "./atomic.ts";

/** Written beside a backup's files: its BackupInfo. */
const INFO_FILE = "backup.json";
/** Backup ids are UUIDv7: sortable by time, and safe as a folder name. */
const BACKUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A task's earlier states, each a copy of its files in `<tasks>/.ratchet/backups/<name>/<id>/` with a backup.json. */
export class BackupStore {
  private readonly root: string;
  private readonly scratch: string;

  constructor(root: string, scratch: string) {
    this.root = root;
    this.scratch = scratch;
  }

  async create(name: string, files: TaskFiles, info: { version: string; hash: string; note?: string }): Promise<BackupInfo> {
    const backup: BackupInfo = { id: uuidv7(), version: info.version, hash: info.hash, created_at: new Date().toISOString(), ...(info.note ? { note: info.note } : {}) };
    // The folder appears whole (built aside, then renamed): a listing never sees a backup without its info.
    await writeTaskFolder(this.scratch, join(this.root, name, backup.id), { ...files, [INFO_FILE]: `${JSON.stringify(backup, null, 2)}\n` });
    return backup;
  }

  /** Newest first. */
  async list(name: string): Promise<BackupInfo[]> {
    const ids = (await readdir(join(this.root, name)).catch(() => [] as string[])).filter((id) => BACKUP_ID.test(id)).sort().reverse();
    const infos: BackupInfo[] = [];
    for (const id of ids) {
      const text = await readFile(join(this.root, name, id, INFO_FILE), "utf8").catch(() => undefined);
      if (text !== undefined) infos.push(JSON.parse(text) as BackupInfo);
    }
    return infos;
  }

  async read(name: string, id: string): Promise<{ info: BackupInfo; files: TaskFiles }> {
    const folder = join(this.root, name, id);
    if (typeof id !== "string" || !BACKUP_ID.test(id) || !(await stat(folder).catch(() => undefined))) {
      throw new WorkspaceError("not_found", `Task ${name} has no backup ${id}`, { hint: "List the task's backups to see their ids." });
    }
    const info = JSON.parse(await readFile(join(folder, INFO_FILE), "utf8")) as BackupInfo;
    return { info, files: await readTaskFolder(folder) };
  }
}
