import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { SandboxPool } from "../../src/engine/sandbox/pool.ts";
import { runInSandbox } from "../../src/engine/sandbox/run.ts";
import { DEFAULT_LIMITS } from "../../src/engine/limits.ts";
const require = createRequire(import.meta.url);
const wasm = await WebAssembly.compile(await readFile(require.resolve("@jitl/quickjs-wasmfile-release-asyncify/wasm")));
const pool = new SandboxPool({ wasmModule: wasm, maxInstances: 2, maxMemoryBytes: 80*1024*1024, recycleAboveBytes: 40*1024*1024 });
for (const code of [`(function(){ let s = 0; for(;;) s++; })`, `(function(){ let a=[]; for(;;) { a.push({x: a.length}); if (a.length > 1000) a = []; } })`, `(function(){ let s=""; for(;;) { s = JSON.stringify({a:[1,2,3], s: "abc"}) } })`]) for (let i=0;i<3;i++){
const t = performance.now();
const out = await pool.with(async (inst) => { const o = await runInSandbox(inst, { code, inputText: "{}", contextText: "{}", limits: {...DEFAULT_LIMITS, cpuMs: 1000}, fetch: fetch }); return { value: o, reusable: !o.poisoned }; });
console.log((performance.now()-t).toFixed(0)+"ms for 1000ms budget", out.error?.type);
}
