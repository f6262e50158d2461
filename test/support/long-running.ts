import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export interface LongRunning {
  child: ChildProcessWithoutNullStreams;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once `test` holds for what it printed; fails after `timeoutMs` with everything it printed. */
  waitFor(test: (out: { stdout: string; stderr: string }) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code once it has exited. */
  interrupt(): Promise<number | null>;
}

/** Starts a command that keeps running (a watcher, a server), the way a user does in a terminal. */
export function startProcess(command: string, args: string[], cwd: string): LongRunning {
  const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  child.stdout.on("data", (chunk) => ((stdout += chunk), changed()));
  child.stderr.on("data", (chunk) => ((stderr += chunk), changed()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => (changed(), resolve(code))));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(test, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!test({ stdout, stderr })) {
            if (child.exitCode !== null) finish(new Error(`the process exited (${child.exitCode}) first.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
            return;
          }
          finish();
        };
        const timer = setTimeout(() => finish(new Error(`not seen within ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    interrupt() {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}
