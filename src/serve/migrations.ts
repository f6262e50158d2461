import type { D1Database } from "@cloudflare/workers-types";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Applies the migrations the database has not had yet, each in one batch (a transaction) with
 * its record. The record table is wrangler's (`d1_migrations`), so `wrangler d1 migrations`
 * sees the same state. drizzle-kit separates statements with "--> statement-breakpoint".
 */
export async function applyMigrations(db: D1Database, dir: string, names: string[]): Promise<string[]> {
  await db.prepare("CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)").run();
  const { results } = await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
  const done = new Set(results.map((row) => row.name));
  const applied: string[] = [];
  for (const name of names.filter((n) => !done.has(n))) {
    const statements = (await readFile(join(dir, name), "utf8")).split("--> statement-breakpoint").filter((s) => s.trim() !== "");
    try {
      await db.batch([...statements.map((s) => db.prepare(s)), db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(name)]);
    } catch (error) {
      throw new Error(`migration ${name} failed: ${(error as Error).message}`);
    }
    applied.push(name);
  }
  return applied;
}
