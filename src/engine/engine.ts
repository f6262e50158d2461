import { v7 as uuidv7 } from "uuid";
import type { TaskBundle, TaskFiles } from "./bundle.ts";
import { parseAllowEntry, type AllowEntry } from "./egress/allow-list.ts";
import { EgressGuard, type EgressOptions } from "./egress/guard.ts";
import type { ExecutionError } from "./errors.ts";
import { compileSchema, type SchemaIssue } from "./json-schema.ts";
import { DEFAULT_LIMITS, DEFAULT_MAXIMA, resolveLimits, type ExecutionLimits } from "./limits.ts";
import type { Problem } from "./problems.ts";
import { redactSecretValues, type SecretValues } from "./secrets.ts";
import type { LogEntry } from "./sandbox/console-sink.ts";
import type { FetchFunction, HttpExchange, HttpTraceEntry } from "./sandbox/http-bridge.ts";
import { PoolBusyError, SandboxPool, type PoolStats } from "./sandbox/pool.ts";
import { INITIAL_MEMORY_BYTES, type QuickJSBuild } from "./sandbox/quickjs-module.ts";
import type { SandboxInstance } from "./sandbox/sandbox-instance.ts";
import { CODE_FILENAME, runInSandbox, startExecution, type ExecutionState, type SandboxOutcome, type SandboxRequest } from "./sandbox/run.ts";
import { utf8Exceeds } from "./utf8.ts";
import { checkBundle, checkFiles, type CheckResult } from "./validate.ts";

export const TRIGGERS = ["cli", "http", "schedule", "mcp", "test"] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface ExecuteRequest {
  input: unknown;
  trigger: Trigger;
  /** The platform's fetch (or a test's mock): every guest request goes through it. */
  fetch: FetchFunction;
  /** `fetch` is a test's mock (mock_http): its requests are not network, so the egress guard does not judge them. */
  mockedFetch?: boolean;
  executionId?: string;
  attempt?: number;
  scheduleId?: string;
  /** Tighter or looser limits than the task's own, still clamped to the engine's maxima. */
  limits?: Partial<ExecutionLimits>;
  /** Keep full request/response pairs (for `ratchet run-once --record`). */
  recordExchanges?: boolean;
  /** Check input and output against the task's schemas (default true; the guide's `validate_schemas`). */
  validateSchemas?: boolean;
  /**
   * The task's own secrets: the guest reads them as the frozen `context.secrets`, and every
   * value is redacted from the result (logs, HTTP trace, error, output) before it is returned.
   */
  secrets?: SecretValues;
}

/** What the guest sees as `context`, besides its frozen `secrets` (never part of a result). */
export interface TaskContext {
  executionId: string;
  taskId: string;
  taskVersion: string;
  attempt: number;
  trigger: Trigger;
  scheduleId?: string;
}

/** The one result shape every caller gets. */
export interface ExecutionResult {
  executionId: string;
  taskId: string;
  taskVersion: string;
  trigger: Trigger;
  attempt: number;
  scheduleId?: string;
  status: "completed" | "failed";
  output?: unknown;
  error?: ExecutionError;
  logs: LogEntry[];
  http: HttpTraceEntry[];
  exchanges?: HttpExchange[];
  startedAt: string;
  durationMs: number;
  timings: { inputValidationMs: number; sandboxMs: number; outputValidationMs: number; cpuMs: number };
  limits: ExecutionLimits;
}

export interface EngineOptions {
  /** The compiled wasm of both QuickJS builds, or a loader for each. Each host supplies them its own way. */
  wasm: Record<QuickJSBuild, WebAssembly.Module | (() => Promise<WebAssembly.Module>)>;
  /** Asyncify instances alive at once: executions past their third fetch that wait at once (each holds one). */
  poolSize?: number;
  /**
   * Wasm memory all sandbox instances may hold together (default: no bound). The one sync
   * instance is counted first; asyncify instances are made while the rest allows (16 MiB each
   * at least), so fewer than poolSize may be alive.
   */
  memoryBudgetBytes?: number;
  /** How long an execution waits for a free sandbox before it fails with SandboxBusyError (default 30 s). */
  maxPoolWaitMs?: number;
  defaults?: ExecutionLimits;
  maxima?: ExecutionLimits;
  /** The deployment's egress rules (egress/guard.ts); without them no refused address is opened (a deployed Worker's rule). */
  egress?: EgressOptions;
}

const MiB = 1024 * 1024;
/** Room the QuickJS runtime itself needs beyond the guest heap limit. */
const RUNTIME_HEADROOM = 16 * MiB;

const INSPECT_LIMITS: Partial<ExecutionLimits> = { cpuMs: 1_000, wallMs: 2_000 };
const refuseFetch: FetchFunction = () => Promise.reject(new Error("fetch is not available while main.js is being validated"));

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

export interface EngineStats {
  /** Runs on the sync build, one at a time and start to end in one turn. */
  sync: PoolStats;
  /** Runs of executions that made more fetches than replaying suits hold an asyncify instance while they wait. */
  asyncify: PoolStats;
  /** Runs repeated to give a task the answers to its fetches and timer waits (see sandbox/replay.ts). */
  repeatedRuns: number;
}

/**
 * Runs on the sync build one execution may take: one more than the fetches it can make there.
 * Each repeats the work before its last fetch, so an execution that fetches more goes on on
 * asyncify, where a fetch suspends the run instead.
 */
const MAX_SYNC_RUNS = 4;

/**
 * The task engine: validates bundles and runs them, each execution on a pooled wasm instance
 * whose QuickJS runtime and context start from a pristine memory snapshot.
 *
 * Runs use QuickJS's sync build, about twice as fast as asyncify and never suspended: a fetch
 * the run has no answer for stops it, the host makes the request with no sandbox held, and
 * the task runs again from the start with the answer recorded (deterministically: same input,
 * seed, clock readings and answers). So an execution waiting in fetch holds no wasm memory.
 * Executions that fetch more than MAX_SYNC_RUNS - 1 times go on on asyncify.
 */
export class Engine {
  readonly defaults: ExecutionLimits;
  readonly maxima: ExecutionLimits;
  private readonly syncPool: SandboxPool;
  private readonly asyncPool: SandboxPool;
  private repeatedRuns = 0;
  /** Each bundle's own limits, resolved once: its metadata, the defaults and the maxima do not change. */
  private readonly bundleLimits = new WeakMap<TaskBundle, ExecutionLimits>();
  private readonly egress: EgressOptions;
  /** Each bundle's network.allow, parsed once (entries that do not parse open nothing). */
  private readonly bundleAllow = new WeakMap<TaskBundle, AllowEntry[] | undefined>();

  constructor(options: EngineOptions) {
    this.defaults = options.defaults ?? DEFAULT_LIMITS;
    this.maxima = options.maxima ?? DEFAULT_MAXIMA;
    this.egress = options.egress ?? { allow: [] };
    const common = {
      maxMemoryBytes: this.maxima.memoryBytes + RUNTIME_HEADROOM,
      recycleAboveBytes: 2 * RUNTIME_HEADROOM + MiB,
      maxWaitMs: options.maxPoolWaitMs,
    };
    // One sync instance is enough: a sync run never yields, so two never overlap.
    this.syncPool = new SandboxPool({ ...common, build: "sync", wasmModule: options.wasm.sync, maxInstances: 1 });
    this.asyncPool = new SandboxPool({
      ...common,
      build: "asyncify",
      wasmModule: options.wasm.asyncify,
      maxInstances: options.poolSize ?? 8,
      ...(options.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: options.memoryBudgetBytes - INITIAL_MEMORY_BYTES }),
    });
  }

  poolStats(): EngineStats {
    return { sync: this.syncPool.stats(), asyncify: this.asyncPool.stats(), repeatedRuns: this.repeatedRuns };
  }

  /** Loads a task folder's files: parses, validates and hashes them into a bundle. */
  loadFiles(files: TaskFiles): Promise<CheckResult> {
    return checkFiles(files, (code) => this.inspectCode(code), this.maxima);
  }

  /** Validates a bundle document (as deployed over HTTP) with the same rules as a folder. */
  loadDocument(document: unknown): Promise<CheckResult> {
    return checkBundle(document, (code) => this.inspectCode(code), this.maxima);
  }

  /** Checks main.js by compiling and loading it in a sandbox: syntax errors, top-level throws, entry point. */
  async inspectCode(code: string): Promise<Problem[]> {
    const outcome = await this.runSandboxed({
      code,
      inputText: "null",
      contextText: "{}",
      limits: resolveLimits({}, { defaults: this.defaults, maxima: this.maxima, overrides: INSPECT_LIMITS }),
      fetch: refuseFetch,
      entryCheckOnly: true,
    });
    if (!outcome.error) return [];
    const { error } = outcome;
    const at = /main\.js:(\d+):(\d+)/.exec(error.stack ?? "");
    const where = at ? { line: Number(at[1]), column: Number(at[2]) } : {};
    if (error.type === "SyntaxError") {
      return [{ severity: "error", file: CODE_FILENAME, ...where, message: `SyntaxError: ${error.message}`, hint: "main.js must be plain JavaScript (no TypeScript, no import/export)." }];
    }
    if (error.type === "EntryPointError") {
      return [{ severity: "error", file: CODE_FILENAME, message: error.message, hint: "Wrap the code: (function(input, context) { ... return result; })" }];
    }
    return [{ severity: "error", file: CODE_FILENAME, ...where, message: `main.js fails while loading: ${error.type}: ${error.message}`, hint: "Keep top-level code to definitions; do the work inside the function." }];
  }

  /** Checks a value against the task's input schema (every issue, with its JSON Pointer). */
  checkInput(bundle: TaskBundle, input: unknown): SchemaIssue[] {
    return compileSchema(bundle.input_schema).check(input);
  }

  private taskAllow(bundle: TaskBundle): AllowEntry[] | undefined {
    if (!this.bundleAllow.has(bundle)) {
      const allow = (bundle.metadata.network as { allow?: unknown } | undefined)?.allow;
      const entries = Array.isArray(allow) ? allow.flatMap((text) => (typeof text === "string" ? [parseAllowEntry(text)].filter((e) => e !== undefined) : [])) : undefined;
      this.bundleAllow.set(bundle, entries);
    }
    return this.bundleAllow.get(bundle);
  }

  /** Runs a task: validate input, run in the sandbox, validate output. Never throws for task faults. */
  async execute(bundle: TaskBundle, request: ExecuteRequest): Promise<ExecutionResult> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const limits = this.limitsFor(bundle, request.limits);
    const context: TaskContext = {
      // Time-ordered (UUIDv7): records land at the end of the id index instead of on a random page.
      executionId: request.executionId ?? uuidv7(),
      taskId: bundle.metadata.uuid,
      taskVersion: bundle.metadata.version,
      attempt: request.attempt ?? 1,
      trigger: request.trigger,
      ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
    };
    const result: ExecutionResult = {
      ...context,
      status: "failed",
      logs: [],
      http: [],
      startedAt,
      durationMs: 0,
      timings: { inputValidationMs: 0, sandboxMs: 0, outputValidationMs: 0, cpuMs: 0 },
      limits,
    };
    const finish = (error?: ExecutionError): ExecutionResult => {
      if (error) result.error = error;
      else result.status = "completed";
      result.durationMs = elapsed(started);
      return redactSecretValues(result, request.secrets);
    };

    const validate = request.validateSchemas ?? true;
    let phase = performance.now();
    const inputIssues = validate ? this.checkInput(bundle, request.input) : [];
    result.timings.inputValidationMs = elapsed(phase);
    if (inputIssues.length > 0) {
      return finish({ type: "InputSchemaError", message: `Input does not match input.schema.json: ${summariseIssues(inputIssues)}`, details: { issues: inputIssues } });
    }

    phase = performance.now();
    let outcome: SandboxOutcome;
    try {
      outcome = await this.runSandboxed({
        code: bundle.code,
        inputText: JSON.stringify(request.input),
        contextText: JSON.stringify({ ...context, secrets: request.secrets ?? {} }),
        limits,
        fetch: request.fetch,
        egress: request.mockedFetch ? undefined : new EgressGuard(this.egress, this.taskAllow(bundle)),
        recordExchanges: request.recordExchanges ?? false,
      });
    } catch (error) {
      if (!(error instanceof PoolBusyError)) throw error;
      return finish({ type: "SandboxBusyError", message: `The task did not start: ${error.message}; try again shortly` });
    }
    result.timings.sandboxMs = elapsed(phase);
    result.timings.cpuMs = outcome.cpuMs;
    result.logs = outcome.logs;
    result.http = outcome.http;
    if (request.recordExchanges) result.exchanges = outcome.exchanges;
    if (outcome.error) return finish(outcome.error);

    const outputText = outcome.outputText ?? "null";
    if (utf8Exceeds(outputText, limits.maxOutputBytes)) {
      const outputBytes = new TextEncoder().encode(outputText).byteLength;
      return finish({
        type: "OutputLimitError",
        message: `Output of ${outputBytes} bytes exceeds the limit of ${limits.maxOutputBytes} bytes (maxOutputBytes)`,
        details: { limit: "maxOutputBytes", value: limits.maxOutputBytes },
      });
    }
    let output: unknown;
    try {
      output = JSON.parse(outputText);
    } catch {
      return finish({ type: "OutputSchemaError", message: "The task's return value could not be read as JSON" });
    }
    result.output = output;

    phase = performance.now();
    const outputIssues = validate ? compileSchema(bundle.output_schema).check(output) : [];
    result.timings.outputValidationMs = elapsed(phase);
    if (outputIssues.length > 0) {
      return finish({ type: "OutputSchemaError", message: `Output does not match output.schema.json: ${summariseIssues(outputIssues)}`, details: { issues: outputIssues } });
    }
    return finish();
  }

  private limitsFor(bundle: TaskBundle, overrides: Partial<ExecutionLimits> | undefined): ExecutionLimits {
    const resolve = () => resolveLimits(bundle.metadata, { defaults: this.defaults, maxima: this.maxima, overrides });
    if (overrides) return resolve();
    let limits = this.bundleLimits.get(bundle);
    if (!limits) this.bundleLimits.set(bundle, (limits = Object.freeze(resolve())));
    return limits;
  }

  private async runSandboxed(request: SandboxRequest): Promise<SandboxOutcome> {
    const execution = startExecution(request);
    for (;;) {
      const outcome = await this.runSync(request, execution);
      if (outcome.missedFetch === undefined) return outcome;
      execution.replay.record(outcome.missedFetch, await execution.bridge.handle(outcome.missedFetch));
      this.repeatedRuns += 1;
      if (execution.replay.runs >= MAX_SYNC_RUNS) break;
    }
    return this.asyncPool.with(async (instance) => {
      const outcome = await runInSandbox(instance, request, execution);
      return { value: outcome, reusable: !outcome.poisoned };
    });
  }

  private async runSync(request: SandboxRequest, execution: ExecutionState): Promise<SandboxOutcome> {
    const run = (instance: SandboxInstance) => {
      const outcome = runInSandbox(instance, request, execution);
      if (outcome instanceof Promise) throw new Error("a run on the sync build suspended");
      return { value: outcome, reusable: !outcome.poisoned };
    };
    return this.syncPool.withIdle(run)?.value ?? this.syncPool.with(async (instance) => run(instance));
  }
}

function summariseIssues(issues: SchemaIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.pointer === "" ? "(root)" : i.pointer}: ${i.message}`);
  return shown.join("; ") + (issues.length > 3 ? `; and ${issues.length - 3} more` : "");
}
