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

/** Bytes of items one page may carry, so that an answer stays well under the ~80 KB a tool result may be. */
export const PAGE_BYTES = 48_000;

/**
 * One page of items: at most `limit`, and fewer when their JSON passes PAGE_BYTES (never
 * none), with the cursor of the next (null on the last).
 */
export function pageOf<T>(items: readonly T[], offset: number, limit: number): { items: T[]; next_cursor: string | null } {
  const page: T[] = [];
  let bytes = 0;
  for (let i = offset; i < Math.min(items.length, offset + limit); i++) {
    bytes += JSON.stringify(items[i]).length;
    if (page.length > 0 && bytes > PAGE_BYTES) break;
    page.push(items[i]!);
  }
  const end = offset + page.length;
  return { items: page, next_cursor: end < items.length ? `o${end}` : null };
}
