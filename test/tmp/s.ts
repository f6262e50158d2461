import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { SandboxPool } from "../../src/engine/sandbox/pool.ts";
import { runInSandbox } from "../../src/engine/sandbox/run.ts";
import { DEFAULT_LIMITS } from "../../src/engine/limits.ts";
const require = createRequire(import.meta.url);
const wasm = await WebAssembly.compile(await readFile(require.resolve("@jitl/quickjs-wasmfile-release-asyncify/wasm")));
const pool = new SandboxPool({ wasmModule: wasm, maxInstances: 2, maxMemoryBytes: 80*1024*1024, recycleAboveBytes: 40*1024*1024 });
const f = async (r: Request) => new Response(JSON.stringify({u: r.url, m: r.method, b: await r.text()}), {headers: {"content-type": "application/json"}});
async function go(code: string, input: unknown = {}, limits = {}) {
  const t = performance.now();
  const out = await pool.with(async (inst) => { const o = await runInSandbox(inst, { code, inputText: JSON.stringify(input), contextText: JSON.stringify({executionId: "x"}), limits: {...DEFAULT_LIMITS, ...limits}, fetch: f }); return { value: o, reusable: !o.poisoned }; });
  console.log((performance.now()-t).toFixed(2)+"ms", JSON.stringify({...out, logs: out.logs.length > 3 ? out.logs.length : out.logs}).slice(0, 400));
}
await go(`(function(input, context){ console.log("hi", {a:1}); return {sum: input.a + input.b, ctx: context.executionId, s: input.s}; })`, {a: 1, b: 2, s: "q\"\n\\é😀"});
await go(`function main(input){ const r = fetch("http://x.test/a?api_key=1", {method: "POST"}, {z: 1}); const r2 = fetch("http://x.test/b"); return [r.body, r2.body, r.ok, r.status, r.json().m]; }`);
await go(`(async function(input){ const r = await fetch("http://x.test/a"); const r2 = await fetch("http://x.test/b"); return [r.body.u, r2.body.u]; })`);
await go(`(function(){ throw new DataError("bad data"); })`);
await go(`(function(){ let s = 0; for(;;) s++; })`, {}, {cpuMs: 100});
await go(`(function(){ const a = []; for(;;) a.push("xxxxxxxxxxxxxxxx" + a.length); })`, {}, {memoryBytes: 8*1024*1024});
await go(`(function(){ function f(n){ return f(n+1)+1; } return f(0); })`);
await go(`(function(){ for (let i=0;i<5000;i++) console.log("line " + i); })`);
await go(`const x = 1;`);
await go(`(function(){ return 1 +; })`);
await go(`(function(){ return new NetworkError("x") instanceof Error && new NetworkError("x").name; })`);
await go(`(function(){ try { for(;;){} } catch (e) { return "caught"; } })`, {}, {cpuMs: 50});
await go(`(function(){ return {ok: true}; })`);
console.log(pool.stats());
