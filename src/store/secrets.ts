import { and, asc, eq } from "drizzle-orm";
import { taskSecrets } from "./schema.ts";
import type { Db } from "./tasks.ts";

export type SecretRow = typeof taskSecrets.$inferSelect;
/** What may be shown of a secret: never its ciphertext, let alone its value. */
export type SecretListing = Pick<SecretRow, "name" | "createdAt" | "updatedAt">;

/** Stores a task's secret, replacing its ciphertext when the name exists (created_at kept); whether it was new. */
export async function upsertSecret(db: Db, row: Omit<SecretRow, "createdAt" | "updatedAt">, now: string): Promise<{ created: boolean }> {
  const [stored] = await db
    .insert(taskSecrets)
    .values({ ...row, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [taskSecrets.taskName, taskSecrets.name], set: { ciphertext: row.ciphertext, iv: row.iv, updatedAt: now } })
    .returning({ createdAt: taskSecrets.createdAt });
  return { created: stored?.createdAt === now };
}

/** A task's secret names and times, by name. */
export function listSecretNames(db: Db, taskName: string): Promise<SecretListing[]> {
  return db
    .select({ name: taskSecrets.name, createdAt: taskSecrets.createdAt, updatedAt: taskSecrets.updatedAt })
    .from(taskSecrets)
    .where(eq(taskSecrets.taskName, taskName))
    .orderBy(asc(taskSecrets.name));
}

/** A task's sealed secrets, to decrypt for its run. */
export function listSealedSecrets(db: Db, taskName: string): Promise<Pick<SecretRow, "name" | "ciphertext" | "iv">[]> {
  return db.select({ name: taskSecrets.name, ciphertext: taskSecrets.ciphertext, iv: taskSecrets.iv }).from(taskSecrets).where(eq(taskSecrets.taskName, taskName));
}

/** Deletes one secret; whether it existed. */
export async function deleteSecret(db: Db, taskName: string, name: string): Promise<boolean> {
  const gone = await db
    .delete(taskSecrets)
    .where(and(eq(taskSecrets.taskName, taskName), eq(taskSecrets.name, name)))
    .returning({ name: taskSecrets.name });
  return gone.length > 0;
}

/** Deletes every secret of a task. */
export async function deleteTaskSecrets(db: Db, taskName: string): Promise<void> {
  await db.delete(taskSecrets).where(eq(taskSecrets.taskName, taskName));
}
