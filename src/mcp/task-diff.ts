import { createTwoFilesPatch } from "diff";
import type { TaskFiles } from "../engine/index.ts";

export interface TaskDiff {
  /** One unified diff over every file that differs, in path order. */
  diff: string;
  changed_files: string[];
}

/** Files first in the order an author reads a task, then tests. */
const ORDER = ["metadata.json", "main.js", "input.schema.json", "output.schema.json"];
const rank = (path: string) => (ORDER.includes(path) ? ORDER.indexOf(path) : ORDER.length);

/** A unified diff (3 lines of context) of two states of a task; a file only one side has is diffed against nothing. */
export function diffTaskFiles(from: TaskFiles, to: TaskFiles, labels: { from: string; to: string }): TaskDiff {
  const paths = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const changed = paths.filter((path) => from[path] !== to[path]);
  const diff = changed
    .map((path) =>
      createTwoFilesPatch(from[path] === undefined ? "/dev/null" : `a/${path}`, to[path] === undefined ? "/dev/null" : `b/${path}`, from[path] ?? "", to[path] ?? "", labels.from, labels.to, { context: 3 })
        .split("\n")
        .filter((line) => !line.startsWith("====="))
        .join("\n")
        .trimEnd(),
    )
    .join("\n");
  return { diff, changed_files: changed };
}
