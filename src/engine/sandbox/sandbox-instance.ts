import type { QuickJSAsyncContext } from "quickjs-emscripten-core";
import type { ExecutionLimits } from "../limits.ts";
import type { ConsoleSink } from "./console-sink.ts";
import type { RunGuard } from "./guard.ts";
import type { HttpBridge } from "./http-bridge.ts";
import { MemorySnapshot } from "./memory-snapshot.ts";
import { HOST_GLOBALS, PRELUDE_FILENAME, PRELUDE_SOURCE } from "./prelude.ts";
import { instantiateQuickJS, type QuickJSInstance } from "./quickjs-module.ts";

/** What the host functions of one run talk to. */
export interface RunBinding {
  guard: RunGuard;
  sink: ConsoleSink;
  bridge: HttpBridge;
  /** While the host reads guest values synchronously, a suspending call would corrupt the instance. */
  suspendable: boolean;
}

/**
 * One wasm instance holding a QuickJS runtime and context with the prelude loaded, and a
 * snapshot of its memory taken right then. Every run starts from that snapshot: `reset()`
 * restores it byte for byte, so no run sees anything an earlier run left behind, and the
 * runtime, context and prelude are built once per instance instead of once per run.
 *
 * The host functions and the interrupt handler are created before the snapshot and reach the
 * current run through `binding`, so a run creates no host function the restore would orphan.
 */
export class SandboxInstance {
  readonly wasm: QuickJSInstance;
  readonly context: QuickJSAsyncContext;
  private readonly snapshot: MemorySnapshot;
  private binding: RunBinding | undefined;

  private constructor(wasm: QuickJSInstance, context: QuickJSAsyncContext, snapshot: MemorySnapshot) {
    this.wasm = wasm;
    this.context = context;
    this.snapshot = snapshot;
  }

  static async create(wasmModule: WebAssembly.Module, maxMemoryBytes: number): Promise<SandboxInstance> {
    const wasm = await instantiateQuickJS(wasmModule, maxMemoryBytes);
    const runtime = wasm.module.newRuntime();
    const context = runtime.newContext();
    let instance: SandboxInstance | undefined;
    const current = (): RunBinding | undefined => instance?.binding;
    runtime.setInterruptHandler(() => current()?.guard.shouldInterrupt() ?? false);
    installBridge(context, current);
    context.unwrapResult(context.evalCode(PRELUDE_SOURCE, PRELUDE_FILENAME, { type: "global" })).dispose();
    instance = new SandboxInstance(wasm, context, MemorySnapshot.capture(wasm.memory));
    return instance;
  }

  /** Bytes copied back on every reset. */
  get snapshotBytes(): number {
    return this.snapshot.bytes;
  }

  /** Binds a run's guard, console and fetch, and applies its limits. */
  begin(binding: RunBinding, limits: ExecutionLimits): void {
    this.binding = binding;
    this.context.runtime.setMemoryLimit(limits.memoryBytes);
    this.context.runtime.setMaxStackSize(limits.stackBytes);
  }

  /** Puts the instance back as it was before its first run. Only call it with nothing running. */
  reset(): void {
    this.binding = undefined;
    this.snapshot.restore(this.wasm.memory);
  }
}

function installBridge(context: QuickJSAsyncContext, current: () => RunBinding | undefined): void {
  const object = context.newObject();
  const fetchFn = context.newAsyncifiedFunction("fetch", (requestHandle) => {
    const run = current();
    if (!run?.suspendable) {
      return { error: context.newError({ name: "NetworkError", message: "fetch cannot be called here" }) } as never;
    }
    const requestText = context.getString(requestHandle);
    return run.bridge.handle(requestText).then((answer) => context.newString(answer));
  });
  const logFn = context.newFunction("log", (levelHandle, messageHandle) => {
    const run = current();
    if (!run) return undefined;
    const refused = run.sink.write(context.getString(levelHandle), context.getString(messageHandle));
    if (refused) return { error: context.newError({ name: "LogLimitError", message: refused }) };
    return undefined;
  });
  context.setProp(object, "fetch", fetchFn);
  context.setProp(object, "log", logFn);
  context.setProp(context.global, HOST_GLOBALS.bridge, object);
  fetchFn.dispose();
  logFn.dispose();
  object.dispose();
}
