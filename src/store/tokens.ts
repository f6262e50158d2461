import { and, asc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./tasks.ts";
import { apiTokens } from "./schema.ts";

export type TokenRow = typeof apiTokens.$inferSelect;
export type NewToken = Pick<TokenRow, "name" | "tokenHash" | "scopes" | "tasks">;

/** How long a token's last_used_at may lag: reads write it at most once in this window. */
const TOUCH_INTERVAL_MS = 60_000;

export async function insertToken(db: Db, token: NewToken, now = new Date()): Promise<TokenRow> {
  const [row] = await db
    .insert(apiTokens)
    .values({ id: crypto.randomUUID(), ...token, createdAt: now.toISOString() })
    .returning();
  return row!;
}

/** Every token, revoked ones too (the list shows when each was revoked), oldest first. */
export function listTokenRows(db: Db): Promise<TokenRow[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

export async function findTokenByHash(db: Db, tokenHash: string): Promise<TokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
  return row;
}

export async function findTokenById(db: Db, id: string): Promise<TokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return row;
}

/** Marks the token revoked (once: a second revoke keeps the first time); undefined when no such token. */
export async function revokeTokenRow(db: Db, id: string, now = new Date()): Promise<TokenRow | undefined> {
  await db
    .update(apiTokens)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
  return findTokenById(db, id);
}

/** Records a use, unless one was recorded within the last minute: the condition is in the UPDATE, so most requests write nothing. */
export async function touchToken(db: Db, row: TokenRow, now = new Date()): Promise<void> {
  const last = row.lastUsedAt === null ? 0 : Date.parse(row.lastUsedAt);
  if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
  const cutoff = new Date(now.getTime() - TOUCH_INTERVAL_MS).toISOString();
  await db
    .update(apiTokens)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, cutoff))));
}
