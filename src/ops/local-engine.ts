import { readFile } from "node:fs/promises";
import { Engine, type EngineOptions } from "../engine/index.ts";
import { localEgress } from "./egress.ts";

/** Reads and compiles one QuickJS build's wasm from the installed package. */
const compiled = (specifier: string) => async () => WebAssembly.compile(await readFile(new URL(import.meta.resolve(specifier))));

/**
 * The engine for a local process (Node or Deno): the wasm of both builds is read from the
 * installed packages and compiled; egress follows RATCHET_EGRESS_ALLOW, loopback by default.
 */
export function createLocalEngine(options: Omit<EngineOptions, "wasm"> = {}): Engine {
  return new Engine({
    egress: localEgress(),
    ...options,
    wasm: {
      sync: compiled("@jitl/quickjs-wasmfile-release-sync/wasm"),
      asyncify: compiled("@jitl/quickjs-wasmfile-release-asyncify/wasm"),
    },
  });
}
