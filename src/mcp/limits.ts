/** The limits of mcp-config.yaml that apply to tool calls, whichever host serves them. */

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
