import type { D1Database } from "@cloudflare/workers-types";

/**
 * Wrappers around Cloudflare's D1 binding, at the edge of our code: what the Worker gets when D1
 * misbehaves, and what D1 reports it wrote.
 */

/** D1 whose first `failures` batch() calls throw as an unreachable database would (Infinity: all of them). */
export function failingD1(db: D1Database, failures: number): D1Database & { calls: () => number } {
  let calls = 0;
  return new Proxy(db, {
    get(target, key) {
      if (key === "calls") return () => calls;
      if (key === "batch") {
        return async (statements: unknown[]) => {
          calls += 1;
          if (calls <= failures) throw new Error(`D1_ERROR: Network connection lost (injected failure ${calls})`);
          return target.batch(statements as never);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as D1Database & { calls: () => number };
}

/** D1 that adds up the rows_written its batch() results report. */
export function countingD1(db: D1Database): D1Database & { rowsWritten: () => number } {
  let rowsWritten = 0;
  return new Proxy(db, {
    get(target, key) {
      if (key === "rowsWritten") return () => rowsWritten;
      if (key === "batch") {
        return async (statements: unknown[]) => {
          const results = await target.batch(statements as never);
          for (const result of results) rowsWritten += result.meta.rows_written;
          return results;
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as D1Database & { rowsWritten: () => number };
}
