/** The limits of mcp-config.yaml that apply to tool calls, whichever host serves them. */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { errorResult } from "./errors.ts";

/** At most `perMinute` tool calls in any 60 s; one limiter is shared by every server a host makes. */
export class CallRateLimiter {
  private readonly times: number[] = [];
  readonly perMinute: number;
  private readonly now: () => number;
  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.now = now;
  }

  /** Counts a call; answers how many seconds to wait when it is over the limit (then it is not counted). */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    while (this.times.length > 0 && this.times[0]! <= now - 60_000) this.times.shift();
    if (this.times.length >= this.perMinute) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((this.times[0]! + 60_000 - now) / 1000)) };
    this.times.push(now);
    return { ok: true };
  }
}

export interface CallLimits {
  /** A tool call still running after this long is cancelled (its signal aborted) and answered with an error. */
  callTimeoutMs?: number;
  rateLimiter?: CallRateLimiter;
}

export class CallTimeoutError extends Error {
  override name = "CallTimeoutError";
}

/** Runs `work` with a signal that aborts when the caller's does or when the timeout passes. */
export async function withTimeout<T>(timeoutMs: number | undefined, outer: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (timeoutMs === undefined) return work(outer);
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallTimeoutError(`still running after ${timeoutMs / 1000} s`);
      // Settled first, so a handler that returns on abort does not win the race.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener("abort", onAbort);
  }
}

/** Runs one tool call's work under the limits: refused over the rate, cancelled and answered past the timeout. */
export type CallGuard = (toolName: string, outer: AbortSignal, work: (signal: AbortSignal) => Promise<CallToolResult>) => Promise<CallToolResult>;

export function callGuard(limits: CallLimits = {}): CallGuard {
  return async (toolName, outer, work) => {
    const admitted = limits.rateLimiter?.take() ?? { ok: true };
    if (!admitted.ok) {
      return errorResult(`rate_limited: more than ${limits.rateLimiter!.perMinute} tool calls in the last minute (mcp.rate_limit_per_minute).\nhint: wait ${admitted.retryAfterSeconds} s and call again.`);
    }
    try {
      return await withTimeout(limits.callTimeoutMs, outer, work);
    } catch (error) {
      if (!(error instanceof CallTimeoutError)) throw error;
      return errorResult(`timeout: ${toolName} was ${error.message} (mcp.request_timeout) and was cancelled.\nhint: ask for less work (fewer inputs, a smaller limit), or raise request_timeout in the mcp: section of the config.`);
    }
  };
}
