import { instantiateQuickJS, type QuickJSInstance } from "./quickjs-module.ts";

export interface PoolOptions {
  /** The compiled QuickJS wasm, or a loader for it (called once). */
  wasmModule: WebAssembly.Module | (() => Promise<WebAssembly.Module>);
  /** Instances alive at most: executions beyond this wait for one to be free. */
  maxInstances: number;
  /** Linear-memory cap of each instance. */
  maxMemoryBytes: number;
  /** An instance whose memory grew past this is dropped after its run (wasm memory never shrinks). */
  recycleAboveBytes: number;
}

export interface PoolStats {
  live: number;
  idle: number;
  busy: number;
  waiting: number;
  created: number;
  discarded: number;
}

/**
 * A bounded set of QuickJS wasm instances, each lent to one execution at a time, because
 * asyncify lets a wasm instance suspend in only one host call at once. Reusing instances
 * saves the ~1 ms instantiation; bounding them bounds the isolate's memory.
 */
export class SandboxPool {
  private readonly idle: QuickJSInstance[] = [];
  private readonly waiting: Array<(instance: QuickJSInstance | undefined) => void> = [];
  private live = 0;
  private created = 0;
  private discarded = 0;
  private wasm: Promise<WebAssembly.Module> | undefined;

  private readonly options: PoolOptions;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  stats(): PoolStats {
    return {
      live: this.live,
      idle: this.idle.length,
      busy: this.live - this.idle.length,
      waiting: this.waiting.length,
      created: this.created,
      discarded: this.discarded,
    };
  }

  /** Lends an instance to `use`; `use` says whether the instance may be reused. */
  async with<T>(use: (instance: QuickJSInstance) => Promise<{ value: T; reusable: boolean }>): Promise<T> {
    const instance = await this.acquire();
    let reusable = false;
    try {
      const result = await use(instance);
      reusable = result.reusable;
      return result.value;
    } finally {
      this.release(instance, reusable && instance.memory.buffer.byteLength <= this.options.recycleAboveBytes);
    }
  }

  private async acquire(): Promise<QuickJSInstance> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.live >= this.options.maxInstances) {
      const handed = await new Promise<QuickJSInstance | undefined>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
    }
    this.live += 1;
    try {
      const instance = await instantiateQuickJS(await this.loadWasm(), this.options.maxMemoryBytes);
      this.created += 1;
      return instance;
    } catch (error) {
      this.live -= 1;
      this.waiting.shift()?.(undefined);
      throw error;
    }
  }

  private release(instance: QuickJSInstance, reusable: boolean): void {
    const next = this.waiting.shift();
    if (reusable) {
      if (next) next(instance);
      else this.idle.push(instance);
      return;
    }
    this.live -= 1;
    this.discarded += 1;
    // A waiter gets the freed slot and instantiates a fresh instance itself.
    next?.(undefined);
  }

  private loadWasm(): Promise<WebAssembly.Module> {
    const source = this.options.wasmModule;
    this.wasm ??= source instanceof WebAssembly.Module ? Promise.resolve(source) : source();
    return this.wasm;
  }
}
