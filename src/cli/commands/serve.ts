import { serve } from "../../serve/serve.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";

export interface ServeCliOptions {
  port: string;
  host: string;
  tasksDir: string;
  stateDir: string;
  watch: boolean;
  /** The bootstrap admin token (else RATCHET_API_TOKEN); with neither, the local API is open. */
  token?: string;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Serves until SIGINT (Ctrl-C) or SIGTERM, then stops workerd and everything else it started,
 * and waits until they have exited.
 */
export async function serveCommand(options: ServeCliOptions, io: CliIo): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${options.port} is not a port number (0 to 65535; 0 picks a free one)`);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C does not wait for the orderly stop (Miniflare's kill on exit still runs).
    if (stopping) process.exit(1);
    stopping = true;
    io.err(`Ratchet: ${signal}: stopping`);
    stop();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const token = options.token || process.env.RATCHET_API_TOKEN || undefined;
    const before = new Set(SIGNALS.flatMap((signal) => process.listeners(signal)));
    const server = await serve({ host: options.host, port, tasksDir: options.tasksDir, stateDir: options.stateDir, watch: options.watch, token }, io);
    // Miniflare's exit hook ends the process on these signals at once, before workerd has exited
    // (left for init to reap); this command stops them in order instead. Its kill on exit stays.
    for (const signal of SIGNALS) for (const listener of process.listeners(signal)) if (!before.has(listener)) process.off(signal, listener);
    await stopped;
    await server.close();
    return EXIT.ok;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}
