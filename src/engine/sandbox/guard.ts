import type { ExecutionError, LimitErrorType } from "../errors.ts";
import { POLLS_PER_CPU_MS, type ExecutionLimits } from "../limits.ts";
import type { QuickJSBuild } from "./quickjs-module.ts";

/**
 * Holds the first limit an execution hit. Once tripped, the interrupt handler stops the
 * guest at its next poll, so task code cannot catch a limit error and carry on.
 */
export class RunGuard {
  readonly deadline: number;
  private readonly limits: ExecutionLimits;
  /** When the clock last moved, as a poll or `resumed()` saw it. */
  private lastMove = 0;
  /** CPU is counted from the first `resumed()`: runtime setup and the prelude are the host's work, not the task's. */
  private counting = false;
  /** Guest CPU time in ms up to `lastMove`: real time, where the clock moves. */
  private measured = 0;
  /** Polls since the clock last moved, each charged `msPerPoll`. */
  private stillPolls = 0;
  tripped: ExecutionError | undefined;

  /** What a poll counts for, in ms, while the clock stands still (production Workers). */
  private msPerPoll = 1 / POLLS_PER_CPU_MS.asyncify;

  /** One guard per execution: its CPU and wall clock span every run of it. */
  constructor(limits: ExecutionLimits, now = Date.now()) {
    this.limits = limits;
    this.deadline = now + limits.wallMs;
  }

  /** A run of the execution starts on `build`, whose interrupt polls come at their own rate. */
  startRun(build: QuickJSBuild): void {
    this.resumed();
    this.msPerPoll = 1 / POLLS_PER_CPU_MS[build];
  }

  /** Call when the guest resumes after a host call, so time spent waiting is not counted as CPU. */
  resumed(): void {
    this.measured = this.cpu();
    this.stillPolls = 0;
    this.counting = true;
    this.lastMove = performance.now();
  }

  /** Limits, and a run that diverged from the one it repeats (SandboxError), stop the guest for good. */
  trip(type: LimitErrorType | "SandboxError", message: string, details?: Record<string, unknown>): ExecutionError {
    this.tripped ??= { type, message, details };
    return this.tripped;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** The interrupt handler: true stops the guest. Counts polls for CPU, checks the wall clock too. */
  readonly shouldInterrupt = (): boolean => {
    if (this.tripped) return true;
    if (this.counting) this.countCpu();
    if (this.tripped) return true;
    if (this.remainingMs() <= 0) {
      this.trip("TimeLimitError", `Wall-clock limit of ${this.limits.wallMs} ms exceeded (wallMs)`, { limit: "wallMs", value: this.limits.wallMs });
      return true;
    }
    return false;
  };

  private countCpu(): void {
    // Where the clock moves during CPU work (Node, Deno, local workerd) the guest is charged the
    // real time that passed. In production Workers it stands still between I/O, so each poll
    // there counts as msPerPoll, a floor measured elsewhere (POLLS_PER_CPU_MS); those charges
    // are replaced by the real time as soon as the clock moves, so a coarse clock is not
    // charged twice.
    const now = performance.now();
    if (now > this.lastMove) {
      this.measured += now - this.lastMove;
      this.lastMove = now;
      this.stillPolls = 0;
    } else {
      this.stillPolls += 1;
    }
    if (this.cpu() > this.limits.cpuMs) {
      this.trip("CpuLimitError", `CPU limit of ${this.limits.cpuMs} ms exceeded (cpuMs)`, { limit: "cpuMs", value: this.limits.cpuMs });
    }
  }

  private cpu(): number {
    return this.measured + this.stillPolls * this.msPerPoll;
  }

  /** Estimated guest CPU time in ms. */
  cpuMsUsed(): number {
    return Math.round(this.cpu() * 10) / 10;
  }
}
