/**
 * `npm start`: serves the Worker on this machine through wrangler/Miniflare with local D1 and
 * R2 (no account, no other server). Packs tasks/, applies the migrations to the local D1, then
 * runs `wrangler dev`; the Worker registers the packed tasks on its first request, which this
 * script makes as soon as the server answers.
 *   PORT               port to listen on (default 8787)
 *   RATCHET_STATE_DIR  where local D1/R2 keep their data (default .wrangler/state)
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const port = process.env.PORT ?? "8787";
const persist = process.env.RATCHET_STATE_DIR ? ["--persist-to", process.env.RATCHET_STATE_DIR] : [];
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = join(root, "node_modules/.bin/wrangler");

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The API token from the environment or .dev.vars (wrangler's file for local secrets), if any. */
async function configuredToken(): Promise<string | undefined> {
  if (process.env.RATCHET_API_TOKEN) return process.env.RATCHET_API_TOKEN;
  const vars = await readFile(join(root, ".dev.vars"), "utf8").catch(() => "");
  return /^\s*RATCHET_API_TOKEN\s*=\s*"?([^"\n]*)"?\s*$/m.exec(vars)?.[1];
}

/** Once the Worker answers, asks it for its tasks: that registers the packed ones, and says which they are. */
async function reportTasks(base: string, token: string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((done) => setTimeout(done, 250));
  }
  const reply = await fetch(`${base}/api/v1/tasks?limit=200`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
  if (!reply?.ok) return;
  const { tasks } = (await reply.json()) as { tasks: { name: string }[] };
  console.log(`Ratchet: ${tasks.length} tasks registered: ${tasks.map((t) => t.name).join(", ")}`);
}

if ((await run(process.execPath, [join(root, "scripts/pack-tasks.ts")])) !== 0) process.exit(1);
if ((await run(wrangler, ["d1", "migrations", "apply", "DB", "--local", ...persist])) !== 0) process.exit(1);

console.log(`\nRatchet: serving the Worker on http://127.0.0.1:${port} (API under /api/v1) with local D1 and R2.`);
const token = await configuredToken();
console.log(
  token
    ? "Ratchet: RATCHET_API_TOKEN is set: requests need Authorization: Bearer <token>."
    : "Ratchet: no RATCHET_API_TOKEN (put one in .dev.vars): the local API is open to anyone who can reach this port.",
);

const dev = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", "--show-interactive-dev-session=false", ...persist], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
await reportTasks(`http://127.0.0.1:${port}`, token);
