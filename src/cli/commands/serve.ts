import { serve } from "../../serve/serve.ts";
import { EXIT, UsageError } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface ServeCliOptions {
  port: string;
  host: string;
  tasksDir: string;
  stateDir: string;
  watch: boolean;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Serves until SIGINT (Ctrl-C) or SIGTERM, then stops workerd and everything else it started.
 * The handlers are in place before Miniflare starts, so they run first; Miniflare's own exit
 * hook then kills workerd and ends the process with 128 + the signal number.
 */
export async function serveCommand(options: ServeCliOptions, io: CliIo): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${options.port} is not a port number (0 to 65535; 0 picks a free one)`);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  const onSignal = (signal: NodeJS.Signals) => {
    io.err(`Ratchet: ${signal}: stopping`);
    stop();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const token = process.env.RATCHET_API_TOKEN || undefined;
    const server = await serve({ host: options.host, port, tasksDir: options.tasksDir, stateDir: options.stateDir, watch: options.watch, token }, io);
    await stopped;
    await server.close();
    return EXIT.ok;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}
