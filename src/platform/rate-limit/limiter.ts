import type { RateRule } from "./rules.ts";

/** What the middleware needs of a limiter: Cloudflare's Rate Limiting binding has this shape. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * A fixed-window counter in this isolate's memory, for runtimes without the Rate Limiting
 * binding. It limits each isolate on its own: weaker than the binding, which counts per location.
 * The counts of a window are dropped when the next one starts, so memory holds one window's keys.
 */
export class IsolateRateLimiter implements RateLimiter {
  #window = -1;
  readonly #counts = new Map<string, number>();

  readonly rule: RateRule;
  readonly #now: () => number;

  constructor(rule: RateRule, now: () => number = Date.now) {
    this.rule = rule;
    this.#now = now;
  }

  async limit({ key }: { key: string }): Promise<{ success: boolean }> {
    const window = Math.floor(this.#now() / (this.rule.period * 1000));
    if (window !== this.#window) {
      this.#window = window;
      this.#counts.clear();
    }
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.rule.limit) return { success: false };
    this.#counts.set(key, count + 1);
    return { success: true };
  }
}
