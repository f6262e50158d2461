import { WorkspaceError } from "../../workspace/workspace.ts";

/**
 * Cursors over one execution's logs or trace: the offset of the next item, opaque to the
 * agent. A record never changes once written, so an offset stays valid.
 */
export function readOffset(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = Number(/^o(\d+)$/.exec(cursor)?.[1]);
  if (!Number.isSafeInteger(offset)) {
    throw new WorkspaceError("bad_request", `cursor ${JSON.stringify(cursor)} is not one this tool gave`, { hint: "Pass next_cursor from the previous answer unchanged, or leave cursor out to start at the beginning." });
  }
  return offset;
}

/** One page of items, and the cursor of the next (null on the last). */
export function pageOf<T>(items: readonly T[], offset: number, limit: number): { items: T[]; next_cursor: string | null } {
  const end = offset + limit;
  return { items: items.slice(offset, end), next_cursor: end < items.length ? `o${end}` : null };
}
