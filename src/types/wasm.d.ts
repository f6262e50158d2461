/** Bundlers (wrangler, the Workers vitest pool) turn these imports into compiled WebAssembly.Modules. */
declare module "@jitl/quickjs-wasmfile-release-asyncify/wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "@jitl/quickjs-wasmfile-release-sync/wasm" {
  const module: WebAssembly.Module;
  export default module;
}
