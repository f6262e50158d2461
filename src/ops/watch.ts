import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "./errors.ts";

export interface Watching {
  /** Stops watching; a run under way finishes, no new one starts. */
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before re-running (editors write a file in several steps). */
  debounceMs?: number;
}

/**
 * Calls `rerun` with the changed paths after every change in the given folders (recursively)
 * or files, debounced. Runs never overlap: changes made during a run lead to one more run after it.
 * A file is watched through its folder, so an editor that replaces the file keeps being seen.
 */
export async function watchPaths(paths: string[], rerun: (changed: string[]) => Promise<void>, options: WatchOptions = {}): Promise<Watching> {
  const debounceMs = options.debounceMs ?? 150;
  const watchers: FSWatcher[] = [];
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let closed = false;

  const fire = async () => {
    timer = undefined;
    if (running || closed || pending.size === 0) return;
    running = true;
    const changed = [...pending];
    pending.clear();
    try {
      await rerun(changed);
    } finally {
      running = false;
      if (pending.size > 0 && !closed) timer = setTimeout(fire, debounceMs);
    }
  };
  const changedAt = (path: string) => {
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  for (const path of paths.map((p) => resolve(p))) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`${path} does not exist, so it cannot be watched`);
    if (info.isDirectory()) {
      watchers.push(watch(path, { recursive: true }, (_event, name) => changedAt(name ? join(path, name.toString()) : path)));
    } else {
      const name = basename(path);
      watchers.push(watch(dirname(path), (_event, changed) => changed?.toString() === name && changedAt(path)));
    }
  }
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
