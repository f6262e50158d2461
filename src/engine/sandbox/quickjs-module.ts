import asyncifyVariant from "@jitl/quickjs-wasmfile-release-asyncify";
import syncVariant from "@jitl/quickjs-wasmfile-release-sync";
import {
  newQuickJSAsyncWASMModuleFromVariant,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSAsyncRuntime,
  type QuickJSAsyncWASMModule,
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
} & ({ build: "sync"; module: QuickJSWASMModule } | { build: "asyncify"; module: QuickJSAsyncWASMModule });

/**
 * Instantiates a QuickJS build from an already compiled wasm module (Workers forbid
 * compiling wasm at run time) with a capped linear memory, so an allocation bomb ends in a
 * catchable out-of-memory error instead of growing the host isolate.
 */
export async function instantiateQuickJS(build: QuickJSBuild, wasmModule: WebAssembly.Module, maxMemoryBytes: number): Promise<QuickJSInstance> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(maxMemoryBytes / WASM_PAGE));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  const capped = { memory, maxMemoryBytes: maximum * WASM_PAGE };
  const options = { wasmModule, wasmMemory: memory };
  return build === "sync"
    ? { ...capped, build, module: await newQuickJSWASMModuleFromVariant(newVariant(syncVariant, options)) }
    : { ...capped, build, module: await newQuickJSAsyncWASMModuleFromVariant(newVariant(asyncifyVariant, options)) };
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
