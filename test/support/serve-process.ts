import { execFileSync, spawn, type ChildProcess } from "node:child_process";

export interface ServeProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  log(): string;
  /** Resolves to the first match of `pattern` in the output; rejects when it exits first or after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Resolves with its exit code, or the signal's name, once it has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, as Ctrl-C would (serve then stops workerd); SIGKILL to it and everything below it if it has not exited in 15 s. */
  stop(): Promise<void>;
}

/** Starts `ratchet serve` (or anything that prints like it) as a child process, collecting its output. */
export function startServe(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | string>((done) => child.on("exit", (code, signal) => done(code ?? signal ?? "unknown")));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    log: () => output,
    exited,
    async stop() {
      if (gone) return;
      // A SIGKILL alone would leave serve's workerd running: it only stops workerd on a signal it can catch.
      const tree = descendants(child.pid!);
      child.kill("SIGTERM");
      const timeout = new Promise<"timeout">((done) => setTimeout(() => done("timeout"), 15_000).unref());
      if ((await Promise.race([exited, timeout])) !== "timeout") return;
      for (const pid of [child.pid!, ...tree]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const match = pattern.exec(output);
        if (match) return match;
        if (gone) break;
        await new Promise((done) => setTimeout(done, 100));
      }
      throw new Error(`no ${pattern} in the output of ${command} ${args.join(" ")} (${gone ? "it exited" : `after ${ms} ms`}):\n${output}`);
    },
  };
}

/** Every process below `pid`, children of children included. */
export function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table) if (ppid === parent) (found.push(child), queue.push(child));
  }
  return found;
}

/** Whether a process with this id still exists (a zombie waiting for its parent counts as gone). */
export function alive(pid: number): boolean {
  try {
    const state = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return state !== "" && !state.startsWith("Z");
  } catch {
    return false;
  }
}
