import type { QuickJSAsyncContext, QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import type { ExecutionLimits } from "../limits.ts";
import type { ConsoleSink } from "./console-sink.ts";
import type { RunGuard } from "./guard.ts";
import type { HttpBridge } from "./http-bridge.ts";
import { SEED_WORDS } from "./guest-random.ts";
import { MemorySnapshot } from "./memory-snapshot.ts";
import { HOST_GLOBALS, PRELUDE_FILENAME, PRELUDE_PARTS, PRELUDE_SOURCE, VOID_RUN } from "./prelude.ts";
import { callFunctionAsync, INITIAL_MEMORY_BYTES, instantiateQuickJS, runOnePendingJob, type QuickJSBuild, type QuickJSInstance } from "./quickjs-module.ts";
import type { Replay } from "./replay.ts";
import { urlOperation } from "./url-host.ts";

/** What the host functions of one run talk to. */
export interface RunBinding {
  guard: RunGuard;
  sink: ConsoleSink;
  bridge: HttpBridge;
  replay: Replay;
  /** While the host reads guest values synchronously, a suspending call would corrupt the instance. */
  suspendable: boolean;
  /** On the sync build: the request of the first fetch the recording could not answer; the run stops there. */
  missedFetch?: string;
  /** Calls the guest made to the host (console, fetch, clock, seed, timers): code that made none depends on nothing outside. */
  hostCalls: number;
  /** The guest queued a timer (setTimeout) this run: it is run once nothing else is left. */
  timers: boolean;
  /** The most QuickJS counted as allocated at any interrupt poll of this run (see `heapBytes`). */
  heapPeak: number;
}

/** What a step of a run waits for: nothing on the sync build, a promise on asyncify. */
export type MaybePromise<T> = T | Promise<T>;

/** The value or the exception of evaluating code. */
export type Evaluated = ReturnType<QuickJSContext["evalCode"]>;

/** The seed outside a run (nothing calls for it there), in the shape guest-random.ts reads. */
const UNBOUND_SEED = Array<number>(SEED_WORDS).fill(0).join(",");

/**
 * Where JSRuntime keeps the bytes QuickJS counts as allocated, and its limit: after the four
 * malloc function pointers, `malloc_state` is { malloc_count, malloc_size, malloc_limit } (32-bit
 * wasm). Checked against a limit set at creation, so another layout reads nothing.
 */
const MALLOC_SIZE_OFFSET = 20;
const MALLOC_LIMIT_OFFSET = 24;
const LAYOUT_MARK = 0x5a5a_1234;

/** Loaded tasks kept per sync instance (each ~200 KiB), and where their heap may grow while loading. */
const MAX_LOADED_TASKS = 16;
const LOAD_WINDOW_BYTES = 1024 * 1024;

/**
 * One wasm instance holding a QuickJS runtime and context with the prelude loaded, and a
 * snapshot of its memory taken right then. Every run starts from that snapshot (or from a
 * loaded task's, see `loadedTasks`): `start()` restores it byte for byte, so no run sees
 * anything an earlier run left behind, and the runtime, context and prelude are built once
 * per instance instead of once per run.
 *
 * The host functions, the interrupt handler and the runner are created before the snapshot
 * and reach the current run through `binding`, so a run creates no host function the restore
 * would orphan, and the runner's handle stays valid in every restored state.
 */
export class SandboxInstance {
  readonly wasm: QuickJSInstance;
  readonly context: QuickJSContext;
  private readonly snapshot: MemorySnapshot;
  /**
   * The function the prelude evaluates to, `(inputText, contextText) => outputText | Promise`:
   * only the host holds it. Part of every snapshot, never disposed.
   */
  private readonly runner: QuickJSHandle;
  /** The prelude's `() => boolean` that runs the oldest queued timer; like the runner, only the host holds it. */
  private readonly runTimer: QuickJSHandle;
  /** A run has ended since the memory was last restored: what it left must go before the next one starts. */
  private dirty = false;
  private binding: RunBinding | undefined;
  /** Snapshots taken right after a task's main.js was evaluated, by its code (see `start`). */
  private readonly loadedTasks = new Map<string, MemorySnapshot>();
  /** Code whose top-level evaluation called the host or grew the heap too far: evaluated in every run. */
  private readonly unloadable = new Set<string>();
  /** Address of JSRuntime's malloc_size in wasm memory; undefined when its layout is not the one expected. */
  private mallocSizeAt: number | undefined;

  private constructor(wasm: QuickJSInstance, context: QuickJSContext, runner: QuickJSHandle, runTimer: QuickJSHandle, snapshot: MemorySnapshot) {
    this.wasm = wasm;
    this.context = context;
    this.runner = runner;
    this.runTimer = runTimer;
    this.snapshot = snapshot;
  }

  static async create(build: QuickJSBuild, wasmModule: WebAssembly.Module, maxMemoryBytes: number): Promise<SandboxInstance> {
    const wasm = await instantiateQuickJS(build, wasmModule, maxMemoryBytes);
    const runtime = wasm.module.newRuntime();
    const context = runtime.newContext();
    let instance: SandboxInstance | undefined;
    const current = (): RunBinding | undefined => instance?.binding;
    // A sync-build run that reached a fetch it has no answer for stops at the next poll: it is run again once the answer is in.
    runtime.setInterruptHandler(() => {
      const run = current();
      if (run === undefined) return false;
      run.heapPeak = Math.max(run.heapPeak, instance?.heapBytes() ?? 0);
      return run.missedFetch !== undefined || run.guard.shouldInterrupt();
    });
    // What each host function reaches its run through, counting the call.
    const called = (): RunBinding | undefined => {
      const run = current();
      if (run) run.hostCalls += 1;
      return run;
    };
    const fetchFn = wasm.build === "asyncify" ? asyncFetchFunction(context as QuickJSAsyncContext, called) : syncFetchFunction(context, called);
    installBridge(context, {
      fetch: fetchFn,
      log: logFunction(context, called),
      now: nowFunction(context, called),
      seed: context.newFunction("seed", () => context.newString(called()?.replay.seed ?? UNBOUND_SEED)),
      // Parsing is pure, so it is no outside dependency: not counted.
      url: context.newFunction("url", (request) => context.newString(urlOperation(context.getString(request)))),
      timer: context.newFunction("timer", () => {
        const run = called();
        if (run) run.timers = true;
      }),
    });
    const runner = context.unwrapResult(context.evalCode(PRELUDE_SOURCE, PRELUDE_FILENAME, { type: "global" }));
    let runTimer = context.undefined;
    for (const part of PRELUDE_PARTS) {
      runTimer.dispose();
      runTimer = context.unwrapResult(context.evalCode(part, PRELUDE_FILENAME, { type: "global" }));
    }
    const mallocSizeAt = mallocSizeAddress(runtime, wasm.memory);
    instance = new SandboxInstance(wasm, context, runner, runTimer, MemorySnapshot.capture(wasm.memory));
    instance.mallocSizeAt = mallocSizeAt;
    return instance;
  }

  get build(): QuickJSBuild {
    return this.wasm.build;
  }

  /** Bytes copied back when a run starts from the pristine state. */
  get snapshotBytes(): number {
    return this.snapshot.bytes;
  }

  /**
   * Bytes QuickJS counts as allocated right now: read from wasm memory, because the library's
   * own usage report walks the whole heap. 0 where the runtime's layout could not be confirmed.
   */
  heapBytes(): number {
    return this.mallocSizeAt === undefined ? 0 : new DataView(this.wasm.memory.buffer).getUint32(this.mallocSizeAt, true);
  }

  /**
   * Binds a run's guard, console and fetch, and applies its limits. QuickJS's memory limit counts
   * small allocations low, so the wasm memory may also grow no further than its initial size plus
   * `memoryBytes`: a memory bomb then ends there instead of filling the memory to its cap.
   */
  begin(binding: RunBinding, limits: ExecutionLimits): void {
    this.binding = binding;
    this.context.runtime.setMemoryLimit(limits.memoryBytes);
    this.context.runtime.setMaxStackSize(limits.stackBytes);
    this.wasm.growthLimitBytes = Math.min(this.wasm.maxMemoryBytes, INITIAL_MEMORY_BYTES + limits.memoryBytes);
    this.wasm.growthRefused = false;
  }

  /** Whether this run's heap is full: the allocator asked for more wasm memory and was refused. */
  memoryExhausted(): boolean {
    return this.wasm.growthRefused;
  }

  /**
   * Puts the instance in the state a run of `code` starts from. When `code` was loaded here
   * before, that is the state right after it was evaluated, and the answer is true: the run
   * need not evaluate it. Only code whose top-level evaluation made no host call is kept (see
   * `keepLoaded`), so that state is exactly what evaluating it again would give. Otherwise it
   * is the pristine state, and the answer is false. Either restore wipes what the last run left.
   */
  start(code: string | undefined): boolean {
    const snapshot = code === undefined ? undefined : this.loadedTasks.get(code);
    if (snapshot) {
      // Most recently used last, so the first one is the one to drop. A loaded snapshot spans
      // every byte the pristine one does, so restoring it alone is enough.
      this.loadedTasks.delete(code!);
      this.loadedTasks.set(code!, snapshot);
      snapshot.restore(this.wasm.memory);
    } else if (this.dirty) {
      this.snapshot.restore(this.wasm.memory);
    }
    this.dirty = false;
    return snapshot !== undefined;
  }

  /** Whether a run about to evaluate `code` should prepare to keep the result (sync build only). */
  mayKeepLoaded(code: string): boolean {
    return this.wasm.build === "sync" && !this.unloadable.has(code);
  }

  /** Clears the space the heap can grow into while `code` loads, so its new end can be found. */
  prepareToKeep(): void {
    new Uint8Array(this.wasm.memory.buffer, this.snapshot.end, this.loadWindowEnd() - this.snapshot.end).fill(0);
  }

  /** After main.js (prepared with `prepareToKeep`) was evaluated: keeps that state for later runs of `code`. */
  keepLoaded(code: string, hostCalls: number): void {
    // Outside calls, or a heap grown past the cleared window: this code is evaluated every run.
    const snapshot = hostCalls > 0 ? undefined : MemorySnapshot.captureAfter(this.wasm.memory, this.snapshot, this.loadWindowEnd());
    if (!snapshot) {
      if (this.unloadable.size >= MAX_LOADED_TASKS * 16) this.unloadable.clear();
      this.unloadable.add(code);
      return;
    }
    if (this.loadedTasks.size >= MAX_LOADED_TASKS) this.loadedTasks.delete(this.loadedTasks.keys().next().value!);
    this.loadedTasks.set(code, snapshot);
  }

  private loadWindowEnd(): number {
    return Math.min(this.wasm.memory.buffer.byteLength, this.snapshot.end + LOAD_WINDOW_BYTES);
  }

  /** Calls the prelude's runner with the input and context texts; on asyncify it may suspend in fetch. */
  callRunner(inputText: string, contextText: string): MaybePromise<Evaluated> {
    const { context } = this;
    const input = context.newString(inputText);
    const taskContext = context.newString(contextText);
    const dispose = () => {
      input.dispose();
      taskContext.dispose();
    };
    if (this.wasm.build === "asyncify") {
      return callFunctionAsync(context as QuickJSAsyncContext, this.runner, [input, taskContext]).finally(dispose);
    }
    try {
      return context.callFunction(this.runner, context.undefined, input, taskContext);
    } finally {
      dispose();
    }
  }

  /** Evaluates code as a script; on asyncify it may suspend in fetch. */
  evaluate(code: string, filename: string): MaybePromise<Evaluated> {
    if (this.wasm.build === "asyncify") return (this.context as QuickJSAsyncContext).evalCodeAsync(code, filename, { type: "global" });
    return this.context.evalCode(code, filename, { type: "global" });
  }

  /** Runs the oldest queued timer (the guest's answer: whether there was one); on asyncify it may suspend in fetch. */
  callTimer(): MaybePromise<Evaluated> {
    if (this.wasm.build === "asyncify") return callFunctionAsync(this.context as QuickJSAsyncContext, this.runTimer, []);
    return this.context.callFunction(this.runTimer, this.context.undefined);
  }

  /** Runs one pending promise job; on asyncify it may suspend in fetch. */
  runPendingJob(): MaybePromise<void> {
    if (this.wasm.build === "asyncify") return runOnePendingJob(this.context.runtime as never);
    const ran = this.context.runtime.executePendingJobs(1);
    if (ran.error) ran.error.dispose();
  }

  /** Ends a run. What it left in memory stays until the next `start()`, which has to restore anyway. */
  end(): void {
    this.binding = undefined;
    this.dirty = true;
    this.wasm.growthLimitBytes = this.wasm.maxMemoryBytes;
  }
}

/** Where `runtime` keeps malloc_size in `memory`, confirmed by setting a limit and reading it back; undefined otherwise. */
function mallocSizeAddress(runtime: QuickJSRuntime, memory: WebAssembly.Memory): number | undefined {
  const pointer = (runtime as unknown as { rt: { value: number } }).rt.value;
  runtime.setMemoryLimit(LAYOUT_MARK);
  const limit = new DataView(memory.buffer).getUint32(pointer + MALLOC_LIMIT_OFFSET, true);
  runtime.setMemoryLimit(-1);
  return limit === LAYOUT_MARK ? pointer + MALLOC_SIZE_OFFSET : undefined;
}

/** The host functions reach the prelude through one global object, which it captures and removes. */
function installBridge(context: QuickJSContext, functions: Record<string, QuickJSHandle>): void {
  const object = context.newObject();
  for (const [name, fn] of Object.entries(functions)) {
    context.setProp(object, name, fn);
    fn.dispose();
  }
  context.setProp(context.global, HOST_GLOBALS.bridge, object);
  object.dispose();
}

/**
 * Whether the run must end: a limit or a divergence tripped its guard, or (sync build) it
 * reached a fetch the recording cannot answer. Host functions then answer VOID_RUN, on which
 * the guest spins into the interrupt handler, so task code never sees why.
 */
function stopping(run: RunBinding): boolean {
  return run.missedFetch !== undefined || run.guard.tripped !== undefined;
}

/** The recorded answer to the guest's request; undefined when there is none yet. A different request than recorded trips the guard. */
function recorded(run: RunBinding, requestText: string): string | undefined {
  const found = run.replay.answer(requestText);
  if ("answer" in found) return found.answer;
  if ("diverged" in found) {
    run.guard.trip("SandboxError", `The task made a different request when it was run again (${requestText} instead of ${found.diverged}): it depends on something other than its input, the clock, Math.random, crypto and its fetch answers`);
    return VOID_RUN;
  }
  return undefined;
}

function asyncFetchFunction(context: QuickJSAsyncContext, current: () => RunBinding | undefined): QuickJSHandle {
  return context.newAsyncifiedFunction("fetch", (requestHandle) => {
    const run = current();
    if (!run?.suspendable) {
      return { error: context.newError({ name: "NetworkError", message: "fetch cannot be called here" }) } as never;
    }
    if (stopping(run)) return Promise.resolve(context.newString(VOID_RUN));
    const requestText = context.getString(requestHandle);
    const known = recorded(run, requestText);
    if (known !== undefined) return Promise.resolve(context.newString(known));
    return run.bridge.handle(requestText).then((answer) => {
      run.replay.record(requestText, answer);
      return context.newString(stopping(run) ? VOID_RUN : answer);
    });
  });
}

function syncFetchFunction(context: QuickJSContext, current: () => RunBinding | undefined): QuickJSHandle {
  return context.newFunction("fetch", (requestHandle) => {
    const run = current();
    if (!run) return { error: context.newError({ name: "NetworkError", message: "fetch cannot be called here" }) };
    // Only the first request the recording cannot answer is made: what the run does after it is void.
    if (stopping(run)) return context.newString(VOID_RUN);
    const requestText = context.getString(requestHandle);
    const known = recorded(run, requestText);
    if (known !== undefined) return context.newString(known);
    run.missedFetch = requestText;
    return context.newString(VOID_RUN);
  });
}

function nowFunction(context: QuickJSContext, current: () => RunBinding | undefined): QuickJSHandle {
  return context.newFunction("now", () => context.newNumber(current()?.replay.now() ?? Date.now()));
}

function logFunction(context: QuickJSContext, current: () => RunBinding | undefined): QuickJSHandle {
  return context.newFunction("log", (levelHandle, messageHandle) => {
    const run = current();
    if (!run) return undefined;
    // A void run's lines are never kept, so they cannot trip the log limits either.
    if (stopping(run) || run.sink.write(context.getString(levelHandle), context.getString(messageHandle))) return context.newString(VOID_RUN);
    return undefined;
  });
}
