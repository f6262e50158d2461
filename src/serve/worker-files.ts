import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServeWorkerManifest } from "./worker-manifest.ts";

/** The built Worker is missing or not what this code expects (a checkout that was not built, or a damaged install). */
export class WorkerBuildError extends Error {
  override name = "WorkerBuildError";
}

/** dist/worker of the package this code belongs to: found from here, whether this runs from dist/cli.js or from src/. */
export function workerDir(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "dist/worker");
  }
  throw new WorkerBuildError(`no package.json above ${from}: cannot find the built Worker`);
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** Reads and checks dist/worker/worker.json, which the build writes. */
export async function readManifest(dir: string): Promise<ServeWorkerManifest> {
  const file = join(dir, "worker.json");
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) throw new WorkerBuildError(`${file} is missing: build the package first (npm run build)`);
  const m = JSON.parse(text) as Partial<ServeWorkerManifest>;
  const valid =
    Array.isArray(m.modules) &&
    m.modules.every((module) => ["ESModule", "CompiledWasm", "Data"].includes(module.type) && typeof module.path === "string") &&
    typeof m.compatibilityDate === "string" &&
    isStringArray(m.compatibilityFlags) &&
    typeof m.vars === "object" &&
    typeof m.d1?.binding === "string" &&
    typeof m.r2?.binding === "string" &&
    isStringArray(m.crons) &&
    isStringArray(m.migrations) &&
    Array.isArray(m.rateLimits) &&
    m.rateLimits.every((r) => typeof r.name === "string" && typeof r.namespace_id === "string" && Number.isSafeInteger(r.simple?.limit) && (r.simple?.period === 10 || r.simple?.period === 60));
  if (!valid) throw new WorkerBuildError(`${file} is not a Ratchet serve manifest: rebuild the package (npm run build)`);
  return m as ServeWorkerManifest;
}
