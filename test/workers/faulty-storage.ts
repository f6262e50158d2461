import type { D1Database, D1PreparedStatement, R2Bucket } from "@cloudflare/workers-types";
import { env } from "cloudflare:test";

/**
 * Test doubles at the edge we do not own: the real Miniflare D1 and R2 bindings, wrapped so that
 * chosen calls fail as an unreachable store would. Our code gets them as its bindings and runs
 * unchanged; every call is logged, so a test can first list the steps of an operation and then
 * fail each one in turn.
 */

/** One round trip to a store: a D1 statement or batch, an R2 operation. */
export interface StorageCall {
  on: "d1" | "r2";
  /** D1: the SQL (a batch's statements joined by " ; "); R2: "operation key". */
  what: string;
  failed: boolean;
}

export interface Fault {
  on: "d1" | "r2";
  /** Which calls it applies to (default: every call on that store). */
  match?: RegExp;
  /** Matching calls to let through before failing (default 0). */
  skip?: number;
  /** How many matching calls fail after those (default 1; Infinity: all). */
  times?: number;
  /**
   * before (default): the call never reaches the store. after: it is carried out, then its
   * answer is lost, as when the connection drops once the store has committed.
   */
  when?: "before" | "after";
}

interface ArmedFault extends Fault {
  seen: number;
}

export interface FaultyStorage {
  /** The test's env with DB and BUNDLES wrapped. */
  env: typeof env;
  calls: StorageCall[];
  /** Adds faults (they count matching calls from now on). */
  fail(...faults: Fault[]): void;
  /** Removes every fault: the stores answer again. */
  heal(): void;
}

const message = (on: "d1" | "r2", what: string) =>
  on === "d1" ? `D1_ERROR: Network connection lost. (injected, ${what.slice(0, 80)})` : `${what.split(" ")[0]}: We encountered an internal error. Please try again. (10001) (injected)`;

export function faultyStorage(faults: Fault[] = [], base: typeof env = env): FaultyStorage {
  let armed: ArmedFault[] = faults.map((fault) => ({ ...fault, seen: 0 }));
  const calls: StorageCall[] = [];

  /** Runs one call through the faults: the first matching fault whose turn it is fails it. */
  async function around<T>(on: "d1" | "r2", what: string, work: () => Promise<T>): Promise<T> {
    let failing: ArmedFault | undefined;
    for (const fault of armed) {
      if (fault.on !== on || (fault.match && !fault.match.test(what))) continue;
      fault.seen += 1;
      const skip = fault.skip ?? 0;
      if (!failing && fault.seen > skip && fault.seen <= skip + (fault.times ?? 1)) failing = fault;
    }
    calls.push({ on, what, failed: failing !== undefined });
    if (failing && (failing.when ?? "before") === "before") throw new Error(message(on, what));
    const result = await work();
    if (failing) throw new Error(message(on, what));
    return result;
  }

  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();
  function statement(inner: D1PreparedStatement, sql: string): D1PreparedStatement {
    const wrapped = new Proxy(inner, {
      get(target, key) {
        if (key === "bind") return (...values: unknown[]) => statement(target.bind(...values), sql);
        if (key === "first" || key === "all" || key === "run" || key === "raw") {
          return (...args: unknown[]) => around("d1", sql, () => (target[key] as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(wrapped, inner);
    sqlOf.set(wrapped, sql);
    return wrapped;
  }

  const db = new Proxy(base.DB, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => statement(target.prepare(sql), sql);
      if (key === "batch") {
        return (statements: D1PreparedStatement[]) =>
          around("d1", statements.map((s) => sqlOf.get(s) ?? "?").join(" ; "), () => target.batch(statements.map((s) => real.get(s) ?? s)));
      }
      if (key === "exec") return (sql: string) => around("d1", sql, () => target.exec(sql));
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as D1Database;

  const keyOf = (op: string, args: unknown[]) => {
    const first = args[0];
    if (op === "list") return String((first as { prefix?: string } | undefined)?.prefix ?? "");
    return Array.isArray(first) ? first.join(",") : String(first);
  };
  const bucket = new Proxy(base.BUNDLES, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      if (typeof key === "string" && ["head", "get", "put", "delete", "list", "createMultipartUpload"].includes(key)) {
        return (...args: unknown[]) => around("r2", `${key} ${keyOf(key, args)}`, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      }
      return value.bind(target);
    },
  }) as R2Bucket;

  return {
    env: { ...base, DB: db, BUNDLES: bucket },
    calls,
    fail: (...more) => armed.push(...more.map((fault) => ({ ...fault, seen: 0 }))),
    heal: () => {
      armed = [];
    },
  };
}
