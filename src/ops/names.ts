import { basename, resolve } from "node:path";

/** A human label from a folder path: "my-api_task" becomes "My Api Task". */
export function labelFromFolder(dir: string): string {
  return basename(resolve(dir))
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
}
