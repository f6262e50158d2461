import { Worker } from "node:worker_threads";

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export interface CallFigures {
  median_ms: number;
  p95_ms: number;
}

/** Times `work` one call after another (after a warm-up) and prints its median and p95. */
export async function measureCalls(label: string, work: () => Promise<unknown>, options: { runs: number; warmUp: number }): Promise<CallFigures> {
  for (let i = 0; i < options.warmUp; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const figures = { median_ms: Number(percentile(times, 50).toFixed(3)), p95_ms: Number(percentile(times, 95).toFixed(3)) };
  console.log(`${label.padEnd(44)} median ${figures.median_ms.toFixed(3)} ms   p95 ${figures.p95_ms.toFixed(3)} ms`);
  return figures;
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
if (workerData.keepAliveMs !== undefined) server.keepAliveTimeout = workerData.keepAliveMs;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
`;

/**
 * An upstream on 127.0.0.1, in its own thread, that answers every request with {"ok":true} after
 * `delayMs`; `keepAliveMs` replaces Node's 5 s idle keep-alive timeout.
 */
export async function startSlowUpstream(delayMs: number, keepAliveMs?: number): Promise<Upstream> {
  const thread = new Worker(UPSTREAM_THREAD, { eval: true, workerData: { delayMs, keepAliveMs } });
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
