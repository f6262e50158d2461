import { readFile } from "node:fs/promises";
import { Engine, type EngineOptions } from "../engine/index.ts";

/** The engine for a local process (Node or Deno): the wasm is read from the installed package and compiled. */
export function createLocalEngine(options: Omit<EngineOptions, "wasmModule"> = {}): Engine {
  return new Engine({
    ...options,
    wasmModule: async () => {
      const url = new URL(import.meta.resolve("@jitl/quickjs-wasmfile-release-asyncify/wasm"));
      return WebAssembly.compile(await readFile(url));
    },
  });
}
