import type { QuickJSBuild } from "./sandbox/quickjs-module.ts";
import type { Problem } from "./problems.ts";

/** Every bound an execution runs under. Each one, when hit, ends the run with its own error type. */
export interface ExecutionLimits {
  /** CPU budget in ms, enforced by counting interpreter interrupt polls (the clock stands still during CPU work in production Workers). */
  cpuMs: number;
  /** Wall-clock deadline in ms for the whole run, time spent waiting in fetch included. */
  wallMs: number;
  /** Heap the guest may allocate. */
  memoryBytes: number;
  /** Guest call-stack size. Above ~384 KiB deep recursion overflows the wasm stack itself. */
  stackBytes: number;
  /** Requests one execution may make. */
  maxFetches: number;
  /** Per-request timeout in ms; a request that takes longer throws NetworkError in the guest. */
  fetchTimeoutMs: number;
  /** Bytes of one response body the guest may receive. */
  maxResponseBytes: number;
  /** Bytes of the output JSON. */
  maxOutputBytes: number;
  /** Console lines one execution may write. */
  maxLogLines: number;
  /** Bytes of console output one execution may write. */
  maxLogBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULT_LIMITS: ExecutionLimits = {
  cpuMs: 10_000,
  wallMs: 30_000,
  memoryBytes: 64 * MiB,
  stackBytes: 256 * KiB,
  maxFetches: 50,
  fetchTimeoutMs: 10_000,
  maxResponseBytes: 5 * MiB,
  maxOutputBytes: 1 * MiB,
  maxLogLines: 1_000,
  maxLogBytes: 256 * KiB,
};

/** What a host allows at most; a task's metadata can ask for less or more, never past these. */
export const DEFAULT_MAXIMA: ExecutionLimits = {
  ...DEFAULT_LIMITS,
  cpuMs: 30_000,
  wallMs: 300_000,
  memoryBytes: 128 * MiB,
  stackBytes: 256 * KiB,
};

/**
 * The most interrupt polls QuickJS makes per ms of busy guest code, by build: a tight loop
 * polls about every 10,000 interpreter steps, measured at 1.2-2 polls per ms on asyncify and
 * 2.7-4.6 on the faster sync build, in Node and in workerd (`npm run bench`). Where the clock
 * stands still (production Workers), each poll counts as at least 1/POLLS_PER_CPU_MS ms, so a
 * tight loop is held to about its budget; code that spends its time in native builtins polls
 * less often and can overrun it.
 */
export const POLLS_PER_CPU_MS: Record<QuickJSBuild, number> = { sync: 3, asyncify: 2 };

// Units as the metadata schema spells them, in any case ("128mb", "1 GiB"); all binary (1 KB = 1024 B).
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*((?:[KMG]I?)?B)?\s*$/i;
const UNIT: Record<string, number> = { B: 1, KB: KiB, KIB: KiB, MB: MiB, MIB: MiB, GB: 1024 * MiB, GIB: 1024 * MiB };

/** Parses a memory size such as "128MB", "128mb" or "512 KiB" (binary units); undefined when malformed. */
export function parseMemorySize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const unit = UNIT[(match[2] ?? "B").toUpperCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

/** The canonical spelling of a memory size ("128mb" and "128 MB" give "128MB", "1gib" gives "1GiB"); undefined when malformed. */
export function canonicalMemorySize(text: string): string | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? "B").toUpperCase().replace("IB", "iB");
  return `${Number(match[1])}${unit}`;
}

/** "134217728 bytes (128 MiB)": a byte count as written in messages. */
export function describeBytes(bytes: number): string {
  const [size, unit] = bytes >= MiB && bytes % MiB === 0 ? [bytes / MiB, "MiB"] : bytes >= KiB ? [Math.round((bytes / KiB) * 10) / 10, "KiB"] : [bytes, "B"];
  return unit === "B" ? `${bytes} bytes` : `${size} ${unit}`;
}

/**
 * The smallest `memory_limit` a task may ask for. QuickJS counts its allocations
 * approximately (emscripten's malloc gives it no sizes), and a trivial task needed 18.5-19 KiB
 * on both builds with the Web-standard globals in the prelude (11-11.5 KiB before them;
 * measured in Node, 256-byte steps); below that the run fails before the task starts with an
 * error that says nothing ("Error: null"). 32 KiB leaves room for the prelude growing; a test
 * runs a task at this limit on both builds.
 */
export const MIN_MEMORY_BYTES = 32 * KiB;

export interface TaskLimitRequest {
  timeout?: number;
  memory_limit?: string;
}

/**
 * Limits for one task: the host defaults, then what the task's metadata asks for
 * (timeout, memory_limit), then caller overrides, each clamped to the host maxima.
 */
export function resolveLimits(
  request: TaskLimitRequest,
  options: { defaults?: ExecutionLimits; maxima?: ExecutionLimits; overrides?: Partial<ExecutionLimits> } = {},
): ExecutionLimits {
  const defaults = options.defaults ?? DEFAULT_LIMITS;
  const maxima = options.maxima ?? DEFAULT_MAXIMA;
  const wanted: ExecutionLimits = { ...defaults };
  if (request.timeout !== undefined) {
    wanted.wallMs = request.timeout;
    wanted.cpuMs = Math.min(defaults.cpuMs, request.timeout);
  }
  const memory = request.memory_limit === undefined ? undefined : parseMemorySize(request.memory_limit);
  if (memory !== undefined) wanted.memoryBytes = memory;
  Object.assign(wanted, options.overrides);
  const clamped = { ...wanted };
  for (const key of Object.keys(clamped) as (keyof ExecutionLimits)[]) {
    clamped[key] = Math.max(1, Math.min(clamped[key], maxima[key]));
  }
  return clamped;
}

/**
 * What a task's metadata asks of the limits, judged against a host's maxima: a memory_limit
 * too small for the runtime to start is an error; a timeout or memory_limit above the host
 * maximum is a warning naming the cap, because resolveLimits holds runs to it.
 */
export function checkLimitRequest(request: { timeout?: unknown; memory_limit?: unknown }, maxima: ExecutionLimits = DEFAULT_MAXIMA): Problem[] {
  const problems: Problem[] = [];
  const file = "metadata.json";
  const { timeout, memory_limit: memory } = request;
  if (typeof timeout === "number" && timeout > maxima.wallMs) {
    problems.push({
      severity: "warning",
      file,
      pointer: "/timeout",
      message: `timeout ${timeout} ms is above this host's maximum of ${maxima.wallMs} ms; runs are stopped at ${maxima.wallMs} ms`,
      hint: `Set timeout to at most ${maxima.wallMs}.`,
    });
  }
  const bytes = typeof memory === "string" ? parseMemorySize(memory) : undefined;
  if (bytes !== undefined && bytes < MIN_MEMORY_BYTES) {
    problems.push({
      severity: "error",
      file,
      pointer: "/memory_limit",
      message: `memory_limit "${memory}" is below the minimum of ${describeBytes(MIN_MEMORY_BYTES)} the runtime needs to start`,
      hint: `Use at least "${MIN_MEMORY_BYTES / KiB}KB".`,
    });
  }
  if (bytes !== undefined && bytes > maxima.memoryBytes) {
    problems.push({
      severity: "warning",
      file,
      pointer: "/memory_limit",
      message: `memory_limit "${memory}" is above this host's maximum of ${describeBytes(maxima.memoryBytes)}; runs are capped at ${describeBytes(maxima.memoryBytes)}`,
      hint: `Set memory_limit to at most "${maxima.memoryBytes / MiB}MB".`,
    });
  }
  return problems;
}
