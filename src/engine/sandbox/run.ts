import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { ExecutionError } from "../errors.ts";
import type { EgressGuard } from "../egress/guard.ts";
import type { ExecutionLimits } from "../limits.ts";
import { ConsoleSink, type LogEntry } from "./console-sink.ts";
import { RunGuard } from "./guard.ts";
import { HttpBridge, type FetchFunction, type HttpExchange, type HttpTraceEntry } from "./http-bridge.ts";
import { HOST_GLOBALS } from "./prelude.ts";
import { Replay } from "./replay.ts";
import type { Evaluated, MaybePromise, RunBinding, SandboxInstance } from "./sandbox-instance.ts";

export const CODE_FILENAME = "main.js";

export interface SandboxRequest {
  code: string;
  /** The input as JSON text; it is parsed inside the guest. */
  inputText: string;
  /** The context object as JSON text. */
  contextText: string;
  limits: ExecutionLimits;
  fetch: FetchFunction;
  /** Judges every request and redirect before it is sent; none when `fetch` is a test's mock. */
  egress?: EgressGuard;
  recordExchanges?: boolean;
  /** Evaluate main.js and find its entry function, but do not call it (used by validation). */
  entryCheckOnly?: boolean;
}

export interface SandboxOutcome {
  /** The output as JSON text, when the task returned. */
  outputText?: string;
  error?: ExecutionError;
  logs: LogEntry[];
  http: HttpTraceEntry[];
  exchanges: HttpExchange[];
  cpuMs: number;
  /** The instance may be damaged (wasm-level out of memory, a fault while disposing): do not reuse it. */
  poisoned: boolean;
  /** The sync-build run stopped at this request, which the recording cannot answer yet: this outcome is void. */
  missedFetch?: string;
}

/** What lives as long as one execution, across the runs it may take (see replay.ts). */
export interface ExecutionState {
  guard: RunGuard;
  bridge: HttpBridge;
  replay: Replay;
}

export function startExecution(request: SandboxRequest): ExecutionState {
  const guard = new RunGuard(request.limits);
  return { guard, bridge: new HttpBridge(request.fetch, request.limits, guard, request.recordExchanges ?? false, request.egress), replay: new Replay() };
}

const GUEST_FRAME = new RegExp(`\\(?${CODE_FILENAME.replace(".", "\\.")}:\\d+`);

/** Keeps the stack frames that point into the task's own code. */
function guestStack(stack: unknown): string | undefined {
  if (typeof stack !== "string") return undefined;
  const frames = stack.split("\n").filter((line) => GUEST_FRAME.test(line));
  return frames.length > 0 ? frames.join("\n") : undefined;
}

function describeThrown(context: QuickJSContext, handle: QuickJSHandle): ExecutionError {
  const value = context.dump(handle) as unknown;
  if (typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string") {
    const { name, message, stack } = value as { name?: unknown; message: string; stack?: unknown };
    const type = typeof name === "string" && name.length > 0 ? name : "Error";
    const error: ExecutionError = { type, message };
    const frames = guestStack(stack);
    if (frames) error.stack = frames;
    return error;
  }
  return { type: "Error", message: typeof value === "string" ? value : JSON.stringify(value) ?? String(value) };
}

function memoryLimitError(limits: ExecutionLimits): ExecutionError {
  return { type: "MemoryLimitError", message: `Memory limit of ${limits.memoryBytes} bytes exceeded (memoryBytes)`, details: { limit: "memoryBytes", value: limits.memoryBytes } };
}

function stackLimitError(limits: ExecutionLimits, stack?: string): ExecutionError {
  return {
    type: "StackLimitError",
    message: `Stack limit of ${limits.stackBytes} bytes exceeded (stackBytes): too deep recursion`,
    details: { limit: "stackBytes", value: limits.stackBytes },
    ...(stack ? { stack } : {}),
  };
}

/**
 * Maps QuickJS's own resource errors onto the limit they stand for. Out of memory while making
 * the error itself, QuickJS throws `null`: taken as the memory limit when the heap was full
 * (`exhausted`). JSON.parse reports its stack overflow as a SyntaxError.
 */
function classify(error: ExecutionError, limits: ExecutionLimits, exhausted: boolean): ExecutionError {
  if (error.type === "InternalError" && /out of memory/i.test(error.message)) return memoryLimitError(limits);
  if (exhausted && error.type === "Error" && error.message === "null" && error.stack === undefined) return memoryLimitError(limits);
  if ((error.type === "InternalError" || error.type === "SyntaxError") && /stack overflow/i.test(error.message)) return stackLimitError(limits, error.stack);
  return error;
}

/** V8's own stack overflow: QuickJS's native recursion (JSON, the parser) ran out of the host's stack before its stack limit. */
function hostStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/**
 * Runs task code once on a sandbox instance, which starts from a snapshot whatever the last
 * run left (see SandboxInstance.start). On the sync build the whole run happens within this
 * call (nothing else can touch the instance meanwhile); on asyncify it may suspend in fetch,
 * and the instance must not be lent to another run until it settles.
 */
export function runInSandbox(sandbox: SandboxInstance, request: SandboxRequest, execution: ExecutionState): MaybePromise<SandboxOutcome> {
  return drive(runSteps(sandbox, request, execution));
}

/**
 * Runs a generator of steps: a step that yields a plain value gets it straight back, one that
 * yields a promise resumes when it settles. So the same steps run synchronously on the sync
 * build and asynchronously on asyncify.
 */
function drive<T>(steps: Generator<unknown, T, unknown>): MaybePromise<T> {
  const resume = (step: IteratorResult<unknown, T>): MaybePromise<T> => {
    while (!step.done) {
      if (!(step.value instanceof Promise)) {
        step = steps.next(step.value);
        continue;
      }
      return step.value.then(
        (value) => resume(steps.next(value)),
        (error) => resume(steps.throw(error)),
      );
    }
    return step.value;
  };
  return resume(steps.next());
}

function* runSteps(sandbox: SandboxInstance, request: SandboxRequest, execution: ExecutionState): Generator<unknown, SandboxOutcome, unknown> {
  const { limits } = request;
  const { guard, bridge, replay } = execution;
  // Logs are the run's own: a repeated run writes them again, and only the last run's count.
  const sink = new ConsoleSink(limits, guard);
  const outcome: SandboxOutcome = { logs: sink.entries, http: bridge.trace, exchanges: bridge.exchanges, cpuMs: 0, poisoned: false };
  const binding: RunBinding = { guard, sink, bridge, replay, suspendable: false, hostCalls: 0, timers: false, heapPeak: 0 };
  const { context } = sandbox;
  // A task loaded on this instance before starts where its main.js left off; otherwise it is
  // evaluated, and kept loaded when that touched nothing outside the sandbox. (Restored before
  // `begin`, which applies this run's limits to the runtime.)
  const preloaded = sandbox.start(request.entryCheckOnly ? undefined : request.code);
  replay.rewind();
  sandbox.begin(binding, limits);

  try {
    guard.startRun(sandbox.build);
    if (!preloaded) {
      const keep = !request.entryCheckOnly && sandbox.mayKeepLoaded(request.code);
      if (keep) sandbox.prepareToKeep();
      binding.suspendable = true;
      const evaluated = (yield sandbox.evaluate(request.code, CODE_FILENAME)) as Evaluated;
      binding.suspendable = false;
      if (evaluated.error) {
        outcome.error = evaluated.error.consume((h) => describeThrown(context, h));
        return outcome;
      }
      evaluated.value.consume((h) => context.setProp(context.global, HOST_GLOBALS.completion, h));
      if (keep) sandbox.keepLoaded(request.code, binding.hostCalls);
    }
    if (request.entryCheckOnly) {
      const found = context.unwrapResult(
        context.evalCode(
          `typeof ${HOST_GLOBALS.completion} === "function" || typeof main === "function"`,
          "ratchet:entry-check",
        ),
      );
      if (!found.consume((h) => context.dump(h))) {
        outcome.error = {
          type: "EntryPointError",
          message:
            "main.js must evaluate to a function. Accepted forms: (function(input, context) { ... }), function main(input, context) { ... }, or an async function of either form.",
        };
      }
      return outcome;
    }

    binding.suspendable = true;
    const ran = (yield sandbox.callRunner(request.inputText, request.contextText)) as Evaluated;
    binding.suspendable = false;
    if (ran.error) {
      outcome.error = ran.error.consume((h) => describeThrown(context, h));
      return outcome;
    }
    const result = ran.value;
    try {
      if (context.typeof(result) === "string") {
        outcome.outputText = context.getString(result);
        // What the task queued (microtasks, setTimeout(fn, 0)) still runs, as it would in a browser.
        binding.suspendable = true;
        while (yield* runQueued(sandbox, binding));
        binding.suspendable = false;
        return outcome;
      }
      binding.suspendable = true;
      yield* settle(sandbox, result, binding, outcome);
      binding.suspendable = false;
    } finally {
      result.dispose();
    }
    return outcome;
  } catch (error) {
    // A host-side failure inside the sandbox (a wasm trap, an asyncify fault): the instance is suspect.
    outcome.poisoned = true;
    if (!guard.tripped) {
      const full = sandbox.memoryExhausted() || /memory/i.test(String(error));
      outcome.error = full
        ? memoryLimitError(limits)
        : hostStackOverflow(error)
          ? stackLimitError(limits)
          : { type: "SandboxError", message: `The sandbox failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    return outcome;
  } finally {
    binding.suspendable = false;
    // A native builtin runs between interrupt polls: a run that went past its CPU or wall-clock
    // limit after the last poll still ends in that limit instead of completing.
    if (!guard.tripped) guard.shouldInterrupt();
    if (binding.missedFetch !== undefined && !guard.tripped) outcome.missedFetch = binding.missedFetch;
    outcome.cpuMs = guard.cpuMsUsed();
    if (guard.tripped) outcome.error = guard.tripped;
    else if (outcome.error) {
      const exhausted = sandbox.memoryExhausted() || binding.heapPeak >= limits.memoryBytes / 2;
      outcome.error = classify(outcome.error, limits, exhausted);
    }
    // A poisoned instance is dropped whole; any other is restored when its next run starts. That
    // includes one whose guest ran out of memory: QuickJS unwound normally from a failed malloc,
    // and the restore rewrites every byte the runtime and allocator keep (a wasm trap, which may
    // leave the stack pointer or the glue astray, poisoned it above; memory that grew is dropped
    // by the pool). Re-creating the instance instead cost more than the run itself.
    sandbox.end();
  }
}

/** Drives an async entry function's promise to completion, letting each job suspend in fetch. */
function* settle(sandbox: SandboxInstance, promise: QuickJSHandle, binding: RunBinding, outcome: SandboxOutcome): Generator<unknown, void, unknown> {
  const { context } = sandbox;
  for (;;) {
    const state = context.getPromiseState(promise);
    if (state.type === "fulfilled") {
      const text = state.value.consume((h) => (context.typeof(h) === "string" ? context.getString(h) : undefined));
      if (text === undefined) outcome.error = { type: "SandboxError", message: "The task's promise resolved to an unexpected value" };
      else outcome.outputText = text;
      return;
    }
    if (state.type === "rejected") {
      outcome.error = state.error.consume((h) => describeThrown(context, h));
      return;
    }
    if (binding.guard.tripped || binding.missedFetch !== undefined) return;
    if (!(yield* runQueued(sandbox, binding))) {
      if (binding.guard.tripped || binding.missedFetch !== undefined) return;
      outcome.error = {
        type: "EntryPointError",
        message: "The task returned a promise that never settles: nothing is left for it to wait for",
      };
      return;
    }
  }
}

/**
 * Runs one pending promise job, else the oldest queued timer. False when neither is left, or
 * when the run must stop (a limit, or a fetch the recording cannot answer yet).
 */
function* runQueued(sandbox: SandboxInstance, binding: RunBinding): Generator<unknown, boolean, unknown> {
  const { context } = sandbox;
  if (binding.guard.tripped || binding.missedFetch !== undefined) return false;
  if (context.runtime.hasPendingJob()) {
    yield sandbox.runPendingJob();
    return true;
  }
  if (!binding.timers) return false;
  const ran = (yield sandbox.callTimer()) as Evaluated;
  // The guest reports what a callback throws; only the interrupt that stops the run gets here.
  if (ran.error) {
    ran.error.dispose();
    return false;
  }
  const more = ran.value.consume((h) => context.dump(h) === true);
  if (!more) binding.timers = false;
  return more;
}
