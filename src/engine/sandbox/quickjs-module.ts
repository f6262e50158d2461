import variant from "@jitl/quickjs-wasmfile-release-asyncify";
import { newQuickJSAsyncWASMModuleFromVariant, newVariant, type QuickJSAsyncRuntime, type QuickJSAsyncWASMModule } from "quickjs-emscripten-core";

const WASM_PAGE = 64 * 1024;
/** The emscripten build starts with 16 MiB of linear memory. */
const INITIAL_PAGES = 256;

export interface QuickJSInstance {
  module: QuickJSAsyncWASMModule;
  memory: WebAssembly.Memory;
  /** The linear memory's cap in bytes. */
  maxMemoryBytes: number;
}

/**
 * Instantiates the asyncify QuickJS build from an already compiled wasm module (Workers
 * forbid compiling wasm at run time) with a capped linear memory, so an allocation bomb
 * ends in a catchable out-of-memory error instead of growing the host isolate.
 */
export async function instantiateQuickJS(wasmModule: WebAssembly.Module, maxMemoryBytes: number): Promise<QuickJSInstance> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(maxMemoryBytes / WASM_PAGE));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  const module = await newQuickJSAsyncWASMModuleFromVariant(newVariant(variant, { wasmModule, wasmMemory: memory }));
  return { module, memory, maxMemoryBytes: maximum * WASM_PAGE };
}

type ExecutePendingJob = (rt: number, max: number, lastJobContext: number) => number | Promise<number>;

interface RuntimeInternals {
  ffi: {
    module: { cwrap(name: string, returns: string, args: string[], options: { async: true }): ExecutePendingJob };
    QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  };
  rt: { value: number };
  memory: { newMutablePointerArray(length: number): { value: { ptr: number }; dispose(): void } };
}

const asyncJobRunners = new WeakMap<object, ExecutePendingJob>();

/**
 * Runs one pending job (a promise reaction) so that it may suspend in an asyncified host
 * call. The library's `executePendingJobs` calls the raw wasm export, which cannot suspend,
 * so an `await` followed by `fetch()` would corrupt the instance; emscripten's cwrap with
 * `async: true` goes through the wrapper that returns a promise when the call suspends.
 */
export async function runOnePendingJob(runtime: QuickJSAsyncRuntime): Promise<void> {
  const internals = runtime as unknown as RuntimeInternals;
  let run = asyncJobRunners.get(internals.ffi);
  if (!run) {
    run = internals.ffi.module.cwrap("QTS_ExecutePendingJob", "number", ["number", "number", "number"], { async: true });
    asyncJobRunners.set(internals.ffi, run);
  }
  const lastJobContext = internals.memory.newMutablePointerArray(1);
  try {
    const value = await run(internals.rt.value, 1, lastJobContext.value.ptr);
    internals.ffi.QTS_FreeValuePointerRuntime(internals.rt.value, value);
  } finally {
    lastJobContext.dispose();
  }
}
