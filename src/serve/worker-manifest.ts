/** What the build writes beside the serve Worker (dist/worker/worker.json): wrangler.toml's settings, resolved at build time. */
export interface ServeWorkerManifest {
  modules: { type: "ESModule" | "CompiledWasm" | "Data"; path: string }[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  d1: { binding: string; databaseId: string };
  r2: { binding: string; bucketName: string };
  crons: string[];
  /** wrangler.toml's [[ratelimits]] bindings. */
  rateLimits: { name: string; namespace_id: string; simple: { limit: number; period: 10 | 60 } }[];
  /** File names under migrations/, in the order they apply. */
  migrations: string[];
}
