/**
 * `npm start`: builds the package (dist/) and runs `ratchet serve` on this repository's tasks/:
 * the Worker in workerd with local D1 and R2, no account, no other server. Everything it does is
 * the serve command's; this script only picks the repository's folders and port.
 *   PORT               port to listen on (default 8787)
 *   RATCHET_STATE_DIR  where local D1 and R2 keep their data (default .ratchet/state)
 *   RATCHET_API_TOKEN  when set (here or in .dev.vars), every route but /health needs it
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/** The API token from the environment or .dev.vars (wrangler's file for local secrets), if any. */
async function configuredToken(): Promise<string | undefined> {
  if (process.env.RATCHET_API_TOKEN) return process.env.RATCHET_API_TOKEN;
  const vars = await readFile(join(root, ".dev.vars"), "utf8").catch(() => "");
  return /^\s*RATCHET_API_TOKEN\s*=\s*"?([^"\n]*)"?\s*$/m.exec(vars)?.[1];
}

const built = spawn(process.execPath, [join(root, "scripts/build.ts")], { cwd: root, env, stdio: "inherit" });
if ((await new Promise((done) => built.on("exit", done))) !== 0) process.exit(1);

const token = await configuredToken();
const args = ["serve", "--port", process.env.PORT ?? "8787", "--tasks-dir", join(root, "tasks"), "--state-dir", process.env.RATCHET_STATE_DIR ?? join(root, ".ratchet/state")];
const server = spawn(process.execPath, [join(root, "bin/ratchet.js"), ...args], {
  cwd: root,
  env: token ? { ...env, RATCHET_API_TOKEN: token } : env,
  stdio: ["ignore", "inherit", "inherit"],
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
