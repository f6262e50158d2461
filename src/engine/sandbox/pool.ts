import { INITIAL_MEMORY_BYTES, type QuickJSBuild } from "./quickjs-module.ts";
import { SandboxInstance } from "./sandbox-instance.ts";

export interface PoolOptions {
  build: QuickJSBuild;
  /** The compiled wasm of that build, or a loader for it (called once). */
  wasmModule: WebAssembly.Module | (() => Promise<WebAssembly.Module>);
  /** Instances alive at most: executions beyond this wait for one to be free. */
  maxInstances: number;
  /**
   * Wasm memory this pool's instances may hold together (a production isolate has 128 MB for
   * everything). A new instance is made only while it fits; one is always allowed.
   */
  memoryBudgetBytes?: number;
  /** Linear-memory cap of each instance. */
  maxMemoryBytes: number;
  /** An instance whose memory grew past this is dropped after its run (wasm memory never shrinks). */
  recycleAboveBytes: number;
  /** How long an execution waits for a free instance before it is refused as busy. */
  maxWaitMs?: number;
}

export interface PoolStats {
  live: number;
  /** Wasm memory the live instances hold. */
  memoryBytes: number;
  idle: number;
  busy: number;
  waiting: number;
  created: number;
  discarded: number;
}

/** Every instance stayed busy for the whole wait. */
export class PoolBusyError extends Error {
  override name = "PoolBusyError";
}

/**
 * How often a waiting execution looks for a free instance: from every 1 ms, backing off to
 * every 4 ms. Short, because an instance left idle while someone waits is lost throughput
 * (fetch-bound tasks free one every ~50 ms); not shorter, because every look is a timer the
 * waiting request pays CPU for.
 */
const FIRST_POLL_MS = 1;
const LONGEST_POLL_MS = 4;

/**
 * A bounded set of QuickJS wasm instances, each lent to one execution at a time, because
 * asyncify lets a wasm instance suspend in only one host call at once. Reusing instances
 * saves instantiating wasm and building a runtime, context and prelude for every run; each
 * run still starts from the instance's pristine snapshot. Bounding them bounds the isolate's memory.
 *
 * A waiting execution polls on its own timers rather than waiting on a promise another
 * execution resolves: in workerd each request has its own I/O context, and a request that
 * waits on another request's promise is cancelled as hung.
 */
export class SandboxPool {
  private readonly idle: SandboxInstance[] = [];
  private readonly instances = new Set<SandboxInstance>();
  private live = 0;
  private waiting = 0;
  private created = 0;
  private discarded = 0;
  private loadedWasm: WebAssembly.Module | undefined;
  private readonly options: PoolOptions;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  stats(): PoolStats {
    return {
      live: this.live,
      memoryBytes: this.memoryBytes(),
      idle: this.idle.length,
      busy: this.live - this.idle.length,
      waiting: this.waiting,
      created: this.created,
      discarded: this.discarded,
    };
  }

  /** Lends an instance to `use`; `use` says whether the instance may be reused. */
  async with<T>(use: (instance: SandboxInstance) => Promise<{ value: T; reusable: boolean }>): Promise<T> {
    const instance = await this.acquire();
    let reusable = false;
    try {
      const result = await use(instance);
      reusable = result.reusable;
      return result.value;
    } finally {
      this.giveBack(instance, reusable);
    }
  }

  /**
   * Lends an idle instance to a synchronous `use` and takes it back in the same turn, so no
   * other execution ever finds it busy; undefined when none is idle.
   */
  withIdle<T>(use: (instance: SandboxInstance) => { value: T; reusable: boolean }): { value: T } | undefined {
    const instance = this.idle.pop();
    if (!instance) return undefined;
    let reusable = false;
    try {
      const result = use(instance);
      reusable = result.reusable;
      return { value: result.value };
    } finally {
      this.giveBack(instance, reusable);
    }
  }

  private giveBack(instance: SandboxInstance, reusable: boolean): void {
    if (reusable && instance.wasm.memory.buffer.byteLength <= this.options.recycleAboveBytes) this.idle.push(instance);
    else {
      this.instances.delete(instance);
      this.live -= 1;
      this.discarded += 1;
    }
  }

  /** Memory of the live instances, counting those still being made at their initial size. */
  private memoryBytes(): number {
    let bytes = (this.live - this.instances.size) * INITIAL_MEMORY_BYTES;
    for (const instance of this.instances) bytes += instance.wasm.memory.buffer.byteLength;
    return bytes;
  }

  private mayCreate(): boolean {
    if (this.live === 0) return true;
    if (this.live >= this.options.maxInstances) return false;
    return this.memoryBytes() + INITIAL_MEMORY_BYTES <= (this.options.memoryBudgetBytes ?? Number.POSITIVE_INFINITY);
  }

  private async acquire(): Promise<SandboxInstance> {
    const maxWaitMs = this.options.maxWaitMs ?? 30_000;
    const since = Date.now();
    let waited = 0;
    let pause = FIRST_POLL_MS;
    for (;;) {
      const free = this.idle.pop();
      if (free) return free;
      if (this.mayCreate()) return this.create();
      if (waited >= maxWaitMs) {
        throw new PoolBusyError(`all ${this.live} sandbox instances stayed busy for ${maxWaitMs} ms`);
      }
      this.waiting += 1;
      await new Promise((resolve) => setTimeout(resolve, pause));
      this.waiting -= 1;
      // Counted as well as clocked: in production Workers the clock only moves across I/O, and
      // under load a timer fires later than asked.
      waited = Math.max(waited + pause, Date.now() - since);
      pause = Math.min(pause * 2, LONGEST_POLL_MS);
    }
  }

  private async create(): Promise<SandboxInstance> {
    this.live += 1;
    try {
      const instance = await SandboxInstance.create(this.options.build, await this.wasm(), this.options.maxMemoryBytes);
      this.instances.add(instance);
      this.created += 1;
      return instance;
    } catch (error) {
      this.live -= 1;
      throw error;
    }
  }

  private async wasm(): Promise<WebAssembly.Module> {
    const source = this.options.wasmModule;
    if (source instanceof WebAssembly.Module) return source;
    this.loadedWasm ??= await source();
    return this.loadedWasm;
  }
}
