/**
 * Builds what the package ships (dist/, gitignored): the `ratchet` CLI as JavaScript, and the
 * Worker, its wasm and migrations for `ratchet serve`. Run by prepare, prepack and npm test.
 */
import { join } from "node:path";
import { buildCli } from "./build/cli.ts";
import { buildUiAssets } from "./build/ui.ts";
import { buildServeWorker } from "./build/worker.ts";

const root = join(import.meta.dirname, "..");
const started = performance.now();
// The Worker imports the dashboard's assets, so they are built first.
await Promise.all([buildCli(root), buildUiAssets(root).then(() => buildServeWorker(root))]);
console.log(`built dist/cli.js and dist/worker/ in ${Math.round(performance.now() - started)} ms`);
