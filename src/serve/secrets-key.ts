import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Where `ratchet serve` keeps the key it made, beside the local D1 and R2 whose secrets it encrypts. */
export const SECRETS_KEY_FILE = "secrets.key";

/**
 * The RATCHET_SECRETS_KEY local serving uses: the environment's when set, else the one kept in
 * the state folder, made (32 random bytes, base64, readable by the owner only) on first start so
 * that secrets put earlier still decrypt after a restart.
 */
export async function serveSecretsKey(stateDir: string): Promise<{ key: string; notice: string }> {
  const configured = process.env.RATCHET_SECRETS_KEY?.trim();
  if (configured) return { key: configured, notice: "Ratchet: task secrets are encrypted with RATCHET_SECRETS_KEY from the environment" };
  const file = join(stateDir, SECRETS_KEY_FILE);
  const kept = (await readFile(file, "utf8").catch(() => "")).trim();
  if (kept) return { key: kept, notice: `Ratchet: task secrets are encrypted with the key in ${file}` };
  const key = randomBytes(32).toString("base64");
  await mkdir(stateDir, { recursive: true });
  // "wx": two starts racing on a fresh state folder must not each keep a different key.
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: "wx" }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const stored = (await readFile(file, "utf8")).trim();
  return { key: stored, notice: `Ratchet: made a key for task secrets in ${file} (keep it with the state folder; without it the stored secrets cannot be read)` };
}
