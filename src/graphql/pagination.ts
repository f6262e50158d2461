import { GraphQLError } from "graphql";
import { QUERY_LIMITS } from "./limits.ts";

/** Cursors are opaque to callers: the key the page ended at, base64url-encoded with what it belongs to. */
export function encodeCursor(kind: string, key: string): string {
  return btoa(JSON.stringify([kind, key])).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "invalid_query" } });
}

export function decodeCursor(kind: string, cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const parts = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/"))) as unknown;
    if (Array.isArray(parts) && parts[0] === kind && typeof parts[1] === "string") return parts[1];
  } catch {
    // fall through to the error below
  }
  throw invalid(`after: "${cursor}" is not a cursor of this list; pass the pageInfo.endCursor this list gave out`);
}

/** `first`, bounded: 1 to QUERY_LIMITS.pageSize. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > QUERY_LIMITS.pageSize) throw invalid(`first must be an integer from 1 to ${QUERY_LIMITS.pageSize}`);
  return size;
}

/** A connection from one more row than the page holds (that extra row says there is a next page). */
export function connection<Row, Node>(rows: Row[], size: number, kind: string, keyOf: (row: Row) => string, view: (row: Row) => Node) {
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return {
    nodes: page.map(view),
    pageInfo: { endCursor: last === undefined ? null : encodeCursor(kind, keyOf(last)), hasNextPage: rows.length > size },
  };
}

/** An ISO-8601 time argument, normalised; refused with an example when it is not one. */
export function isoTime(name: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(`${name} must be an ISO-8601 time, such as 2026-01-31T12:00:00Z`);
  return new Date(time).toISOString();
}
