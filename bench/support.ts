import { Worker } from "node:worker_threads";

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export interface Upstream {
  url: string;
  stop(): Promise<void>;
}

// Runs in its own thread: the load generator keeps the main thread busy, and an upstream on
// that event loop would answer late, charging the load generator's delays to the platform.
const UPSTREAM_THREAD = `
const { createServer } = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const server = createServer((_req, res) => {
  setTimeout(() => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  }, workerData.delayMs);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
`;

/** An upstream on 127.0.0.1, in its own thread, that answers every request with {"ok":true} after `delayMs`. */
export async function startSlowUpstream(delayMs: number): Promise<Upstream> {
  const thread = new Worker(UPSTREAM_THREAD, { eval: true, workerData: { delayMs } });
  const port = await new Promise<number>((resolve, reject) => {
    thread.once("message", resolve);
    thread.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      thread.postMessage("stop");
      await new Promise((resolve) => thread.once("exit", resolve));
    },
  };
}
