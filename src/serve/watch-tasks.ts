import { existsSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

const DEBOUNCE_MS = 300;

/**
 * Calls `changed(name)` once a task folder under tasksDir has been quiet for DEBOUNCE_MS after
 * a change (an editor's save is several events). Watches the tasks folder, each task folder and
 * its tests/ folder, each on its own: directory watches see files replaced by rename (sed -i,
 * editors' atomic saves), which Node 20's recursive watch on Linux loses track of.
 * Returns the function that stops watching.
 */
export function watchTaskFolders(tasksDir: string, changed: (name: string) => void): () => void {
  const pending = new Map<string, NodeJS.Timeout>();
  const watchers = new Map<string, FSWatcher>();

  const bump = (name: string) => {
    clearTimeout(pending.get(name));
    pending.set(name, setTimeout(() => (pending.delete(name), changed(name)), DEBOUNCE_MS));
  };
  const follow = (dir: string, onEvent: (filename: string | null) => void) => {
    if (watchers.has(dir) || !existsSync(dir)) return;
    const watcher = watch(dir, (_event, filename) => onEvent(filename?.toString() ?? null));
    watcher.on("error", () => (watcher.close(), watchers.delete(dir)));
    watchers.set(dir, watcher);
  };
  // The folders to watch follow the tree: task folders and tests/ folders come and go.
  const sync = () => {
    const names = readdirSync(tasksDir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
    for (const name of names) {
      follow(join(tasksDir, name), (filename) => {
        if (filename === "tests") sync();
        bump(name);
      });
      follow(join(tasksDir, name, "tests"), () => bump(name));
    }
  };
  follow(tasksDir, (filename) => {
    sync();
    if (filename && !filename.startsWith(".")) bump(filename);
  });
  sync();

  return () => {
    for (const watcher of watchers.values()) watcher.close();
    for (const timer of pending.values()) clearTimeout(timer);
  };
}
