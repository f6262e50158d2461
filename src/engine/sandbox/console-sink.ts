import type { ExecutionLimits } from "../limits.ts";
import type { RunGuard } from "./guard.ts";

export const LOG_LEVELS = ["log", "info", "warn", "error", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEntry {
  level: LogLevel;
  time: string;
  message: string;
}

/** Collects the guest's console output as structured lines, within the log limits. */
export class ConsoleSink {
  readonly entries: LogEntry[] = [];
  private bytes = 0;
  private readonly encoder = new TextEncoder();

  private readonly limits: ExecutionLimits;
  private readonly guard: RunGuard;

  constructor(limits: ExecutionLimits, guard: RunGuard) {
    this.limits = limits;
    this.guard = guard;
  }

  /** Records a line; returns an error message when a log limit is hit. */
  write(level: string, message: string): string | undefined {
    const size = this.encoder.encode(message).byteLength;
    if (this.entries.length >= this.limits.maxLogLines) {
      return this.guard.trip("LogLimitError", `Console output exceeded ${this.limits.maxLogLines} lines (maxLogLines)`, {
        limit: "maxLogLines",
        value: this.limits.maxLogLines,
      }).message;
    }
    if (this.bytes + size > this.limits.maxLogBytes) {
      return this.guard.trip("LogLimitError", `Console output exceeded ${this.limits.maxLogBytes} bytes (maxLogBytes)`, {
        limit: "maxLogBytes",
        value: this.limits.maxLogBytes,
      }).message;
    }
    this.bytes += size;
    const known = (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : "log";
    this.entries.push({ level: known, time: new Date().toISOString(), message });
    return undefined;
  }
}
