import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseAllowList } from "../engine/index.ts";
import { egressNotice, localEgressAllow } from "../ops/egress.ts";
import type { CliIo } from "../ops/io.ts";
import { createLocalEngine } from "../ops/local-engine.ts";
import { startCronTicker } from "./cron-ticker.ts";
import { deployTaskFolder, taskFolders } from "./deploy-tasks.ts";
import { serveRateLimits } from "./rate-limits.ts";
import { serveSecretsKey } from "./secrets-key.ts";
import { startWorker, type WorkerServer } from "./start-worker.ts";
import { watchTaskFolders } from "./watch-tasks.ts";
import { readManifest, workerDir } from "./worker-files.ts";

export interface ServeOptions {
  host: string;
  port: number;
  tasksDir: string;
  stateDir: string;
  watch: boolean;
  /** When set, every route but /health needs it as a bearer token. */
  token?: string;
}

export interface RunningServer {
  url: string;
  /** Stops watching, the scheduler and workerd; resolves once workerd has exited. */
  close(): Promise<void>;
}

/** Longer than a record's retries take (platform/record-writer.ts RETRY_PAUSES_MS: about 3.2 s). */
const SETTLE_RECORDS_MS = 5_000;

/**
 * Runs answer here before their records are written (ONE_ISOLATE_VARS): one read of the history
 * through the Worker waits for those still being written, so stopping loses none. A Worker that
 * does not answer is stopped anyway.
 */
async function settleRecords(server: WorkerServer, token: string | undefined): Promise<void> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await server.mf
    .dispatchFetch(new URL("/api/v1/executions?limit=1", server.url), { headers, signal: AbortSignal.timeout(SETTLE_RECORDS_MS) })
    .then((response) => response.text())
    .catch(() => undefined);
}

/**
 * `ratchet serve` (and `npm start`): the built Worker in workerd with local D1 and R2, the
 * task folders under tasksDir deployed through its API at start and again when one changes.
 */
export async function serve(options: ServeOptions, io: CliIo): Promise<RunningServer> {
  const dir = workerDir();
  const manifest = await readManifest(dir);
  const tasksDir = resolve(options.tasksDir);
  const stateDir = resolve(options.stateDir);
  const egressAllow = localEgressAllow();
  // Refused here, with the entry named, rather than by the Worker on its first task run.
  parseAllowList(egressAllow, "RATCHET_EGRESS_ALLOW");
  const rateLimits = serveRateLimits(manifest);
  const secrets = await serveSecretsKey(stateDir);
  const server = await startWorker(dir, manifest, { host: options.host, port: options.port, stateDir, token: options.token, egressAllow, rateLimits, secretsKey: secrets.key });
  const url = server.url.origin;

  io.out(`Ratchet: serving the Worker on ${url} with local D1 and R2 in ${stateDir}`);
  if (server.appliedMigrations.length > 0) io.out(`Ratchet: applied migrations ${server.appliedMigrations.join(", ")}`);
  io.out(`  dashboard ${url}/`);
  io.out(`  REST API  ${url}/api/v1 (OpenAPI at ${url}/api/v1/openapi.json, docs at ${url}/docs)`);
  io.out(`  health    ${url}/health`);
  io.out(`  metrics   ${url}/metrics`);
  io.out(`  MCP       ${url}/mcp (Streamable HTTP; ?toolsets=...&read_only=1)`);
  io.out(`  GraphQL   ${url}/graphql (GraphiQL in a browser)`);
  io.out(
    options.token
      ? "Ratchet: RATCHET_API_TOKEN is set: requests need Authorization: Bearer <token> (it, or a token from `ratchet token create`)."
      : "Ratchet: no RATCHET_API_TOKEN: access is open (RATCHET_ACCESS=open), anyone who can reach this port can deploy and run code; set RATCHET_API_TOKEN or pass --token to close it. A deployed Worker without a token refuses every request.",
  );
  io.out(egressNotice());
  io.out(rateLimits.notice);
  io.out(secrets.notice);

  const engine = createLocalEngine();
  const api = { url, token: options.token };
  // One deploy at a time, so lines of concurrent changes do not interleave.
  let queue = Promise.resolve();
  const deploy = (name: string) => (queue = queue.then(() => deployTaskFolder(engine, tasksDir, name, api, io).then(() => undefined)));

  const stops: (() => void)[] = [startCronTicker(server.mf, manifest.crons, io.err)];
  if (!existsSync(tasksDir)) {
    io.out(`Ratchet: no tasks folder ${tasksDir}: serving no tasks (create it, or pass --tasks-dir, and restart)`);
  } else {
    const names = await taskFolders(tasksDir);
    io.out(`Ratchet: deploying ${names.length} task folder${names.length === 1 ? "" : "s"} from ${tasksDir}`);
    const deployed: string[] = [];
    for (const name of names) if (await deployTaskFolder(engine, tasksDir, name, api, io)) deployed.push(name);
    io.out(`Ratchet: ${deployed.length} tasks deployed: ${deployed.join(", ")}`);
    if (options.watch) {
      stops.push(watchTaskFolders(tasksDir, (name) => {
        if (!existsSync(resolve(tasksDir, name))) return io.out(`Ratchet: ${name} was removed from the folder; it stays deployed (DELETE /api/v1/tasks/${name} removes it)`);
        io.out(`Ratchet: ${name} changed: deploying`);
        deploy(name);
      }));
      io.out(`Ratchet: watching ${tasksDir}; Ctrl-C stops`);
    }
  }

  return {
    url,
    async close() {
      for (const stop of stops) stop();
      await queue;
      await settleRecords(server, options.token);
      await server.mf.dispose();
    },
  };
}
