import asyncifyVariant from "@jitl/quickjs-wasmfile-release-asyncify";
import syncVariant from "@jitl/quickjs-wasmfile-release-sync";
import {
  newQuickJSAsyncWASMModuleFromVariant,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSAsyncContext,
  type QuickJSAsyncRuntime,
  type QuickJSAsyncWASMModule,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";

const WASM_PAGE = 64 * 1024;
/** Both emscripten builds start with 16 MiB of linear memory (their declared minimum). */
const INITIAL_PAGES = 256;
export const INITIAL_MEMORY_BYTES = INITIAL_PAGES * WASM_PAGE;

/**
 * The two QuickJS builds. `sync` runs code about twice as fast but cannot suspend, so a guest
 * `fetch` cannot wait in it; `asyncify` can suspend in one host call at a time.
 */
export type QuickJSBuild = "sync" | "asyncify";

/** The compiled wasm of each build; each host supplies them its own way. */
export type QuickJSWasm = Record<QuickJSBuild, WebAssembly.Module>;

export type QuickJSInstance = {
  memory: WebAssembly.Memory;
  /** The linear memory's cap in bytes. */
  maxMemoryBytes: number;
  /** How far the linear memory may grow now (at most `maxMemoryBytes`): each run sets its own. */
  growthLimitBytes: number;
  /** A growth of the linear memory failed since this was last cleared: the heap is full. */
  growthRefused: boolean;
} & ({ build: "sync"; module: QuickJSWASMModule } | { build: "asyncify"; module: QuickJSAsyncWASMModule });

/**
 * Instantiates a QuickJS build from an already compiled wasm module (Workers forbid
 * compiling wasm at run time) with a capped linear memory, so an allocation bomb ends in a
 * catchable out-of-memory error instead of growing the host isolate.
 */
export async function instantiateQuickJS(build: QuickJSBuild, wasmModule: WebAssembly.Module, maxMemoryBytes: number): Promise<QuickJSInstance> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(maxMemoryBytes / WASM_PAGE));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  const options = { wasmModule, wasmMemory: memory };
  const instance: QuickJSInstance =
    build === "sync"
      ? { memory, maxMemoryBytes: maximum * WASM_PAGE, growthLimitBytes: maximum * WASM_PAGE, growthRefused: false, build, module: await newQuickJSWASMModuleFromVariant(newVariant(syncVariant, options)) }
      : { memory, maxMemoryBytes: maximum * WASM_PAGE, growthLimitBytes: maximum * WASM_PAGE, growthRefused: false, build, module: await newQuickJSAsyncWASMModuleFromVariant(newVariant(asyncifyVariant, options)) };
  limitGrowth(instance);
  return instance;
}

/**
 * Makes `instance.memory` refuse to grow past `growthLimitBytes`. QuickJS under emscripten counts
 * each allocation as ~8 bytes (its malloc reports no sizes), so its own memory limit lets small
 * allocations fill the whole linear memory; the heap's real size shows only when it grows.
 * emscripten's glue grows the heap through this object's `grow` and takes a throw as "no memory
 * left": sbrk fails, malloc returns null, and QuickJS throws its ordinary out-of-memory error.
 */
function limitGrowth(instance: QuickJSInstance): void {
  const { memory } = instance;
  const grow = memory.grow.bind(memory);
  memory.grow = (pages: number): number => {
    try {
      if (memory.buffer.byteLength + pages * WASM_PAGE > instance.growthLimitBytes) {
        throw new RangeError(`wasm memory may not grow past ${instance.growthLimitBytes} bytes`);
      }
      return grow(pages);
    } catch (error) {
      instance.growthRefused = true;
      throw error;
    }
  };
}

type NumberExport = (...args: number[]) => number | Promise<number>;

interface FfiInternals {
  module: { cwrap(name: string, returns: "number", args: "number"[], options: { async: true }): NumberExport };
  QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
}

const suspendableExports = new WeakMap<object, Map<string, NumberExport>>();

/**
 * An export of the asyncify build called so that it may suspend in an asyncified host call.
 * The library calls exports that take and return numbers raw, and a raw call that suspends
 * returns at once with nothing, leaving the instance corrupt; emscripten's cwrap with
 * `async: true` goes through the wrapper that returns a promise of the result instead.
 */
function suspendable(ffi: FfiInternals, name: string, argCount: number): NumberExport {
  let exports = suspendableExports.get(ffi);
  if (!exports) suspendableExports.set(ffi, (exports = new Map()));
  let fn = exports.get(name);
  if (!fn) exports.set(name, (fn = ffi.module.cwrap(name, "number", Array<"number">(argCount).fill("number"), { async: true })));
  return fn;
}

interface RuntimeInternals {
  ffi: FfiInternals;
  rt: { value: number };
  memory: { newMutablePointerArray(length: number): { value: { ptr: number }; dispose(): void } };
}

/**
 * Runs one pending job (a promise reaction) so that it may suspend: the library's
 * `executePendingJobs` cannot, so an `await` followed by `fetch()` would corrupt the instance.
 */
export async function runOnePendingJob(runtime: QuickJSAsyncRuntime): Promise<void> {
  const internals = runtime as unknown as RuntimeInternals;
  const lastJobContext = internals.memory.newMutablePointerArray(1);
  try {
    const value = await suspendable(internals.ffi, "QTS_ExecutePendingJob", 3)(internals.rt.value, 1, lastJobContext.value.ptr);
    internals.ffi.QTS_FreeValuePointerRuntime(internals.rt.value, value);
  } finally {
    lastJobContext.dispose();
  }
}

type CallResult = ReturnType<QuickJSContext["callFunction"]>;

interface ContextInternals {
  ffi: FfiInternals;
  ctx: { value: number };
  memory: {
    toPointerArray(handles: QuickJSHandle[]): { value: number; dispose(): void };
    heapValueHandle(pointer: number): QuickJSHandle;
  };
  success(value: QuickJSHandle): CallResult;
  fail(error: QuickJSHandle): CallResult;
}

/** `callFunction`, but the call may suspend: the library has no such method (only `evalCodeAsync`). */
export async function callFunctionAsync(context: QuickJSAsyncContext, fn: QuickJSHandle, args: QuickJSHandle[]): Promise<CallResult> {
  const internals = context as unknown as ContextInternals;
  const handleValue = (handle: QuickJSHandle) => handle.value as unknown as number;
  const argv = internals.memory.toPointerArray(args);
  let result: number;
  try {
    result = await suspendable(internals.ffi, "QTS_Call", 5)(internals.ctx.value, handleValue(fn), handleValue(context.undefined), args.length, argv.value);
  } finally {
    argv.dispose();
  }
  const error = internals.ffi.QTS_ResolveException(internals.ctx.value, result);
  if (!error) return internals.success(internals.memory.heapValueHandle(result));
  internals.ffi.QTS_FreeValuePointer(internals.ctx.value, result);
  return internals.fail(internals.memory.heapValueHandle(error));
}
