/** Bundlers (wrangler, the Workers vitest pool) turn this import into a compiled WebAssembly.Module. */
declare module "@jitl/quickjs-wasmfile-release-asyncify/wasm" {
  const module: WebAssembly.Module;
  export default module;
}
