import type { D1Database } from "@cloudflare/workers-types";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { applyMigrations } from "./migrations.ts";
import type { ServeRateLimits } from "./rate-limits.ts";
import type { ServeWorkerManifest } from "./worker-manifest.ts";

export interface WorkerServerOptions {
  host: string;
  port: number;
  /** D1 and R2 keep their data under this folder. */
  stateDir: string;
  token?: string;
  /** The Worker's RATCHET_EGRESS_ALLOW: the environment's, or the local loopback default. */
  egressAllow: string;
  /** The Worker's RATCHET_SECRETS_KEY (secrets-key.ts). */
  secretsKey: string;
  /** The rate limits' sizes, counted in the Worker's isolate (rate-limits.ts). */
  rateLimits: Pick<ServeRateLimits, "vars">;
}

export interface WorkerServer {
  mf: Miniflare;
  url: URL;
  appliedMigrations: string[];
}

/**
 * What the Worker is told because workerd runs it in one isolate here: a run answers before its
 * record is written, and every read of the history in the isolate waits for the records it
 * accepted (env.ts EXECUTION_RECORDS), which saves each run a D1 round trip on the response path.
 */
export const ONE_ISOLATE_VARS = { EXECUTION_RECORDS: "after-response" } as const;

/**
 * Runs the built Worker in workerd through Miniflare's API, with local D1 and R2 persisted under
 * the state folder and the migrations applied. The scheduled-event endpoint
 * (/cdn-cgi/local/scheduled) is on, as with `wrangler dev --test-scheduled`.
 */
export async function startWorker(dir: string, manifest: ServeWorkerManifest, options: WorkerServerOptions): Promise<WorkerServer> {
  // Imported here so that the other commands do not load Miniflare.
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const modules = await Promise.all(
    manifest.modules.map(async (module) => ({ type: module.type, path: join(dir, module.path), contents: new Uint8Array(await readFile(join(dir, module.path))) })),
  );
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: options.host,
      port: options.port,
      cf: false,
      resourcePersistencePath: options.stateDir,
      unsafeTriggerHandlers: true,
      workers: [
        {
          name: "ratchet",
          modulesRoot: dir,
          modules,
          compatibilityDate: manifest.compatibilityDate,
          compatibilityFlags: manifest.compatibilityFlags,
          bindings: {
            ...manifest.vars,
            ...options.rateLimits.vars,
            ...ONE_ISOLATE_VARS,
            RATCHET_EGRESS_ALLOW: options.egressAllow,
            RATCHET_SECRETS_KEY: options.secretsKey,
            // Local serving is open when no token is given (serve.ts says so on start); a deployed Worker without one is closed.
            ...(options.token ? { RATCHET_API_TOKEN: options.token } : { RATCHET_ACCESS: "open" }),
          },
          d1Databases: { [manifest.d1.binding]: manifest.d1.databaseId },
          r2Buckets: { [manifest.r2.binding]: manifest.r2.bucketName },
        },
      ],
    }),
  );
  try {
    const url = await mf.ready;
    const db = (await mf.getD1Database(manifest.d1.binding)) as unknown as D1Database;
    const appliedMigrations = await applyMigrations(db, join(dir, "migrations"), manifest.migrations);
    return { mf, url, appliedMigrations };
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw error;
  }
}
