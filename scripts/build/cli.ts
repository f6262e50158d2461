import { build } from "esbuild";
import { join } from "node:path";
import { writeAtomic } from "./write-atomic.ts";

/**
 * The `ratchet` CLI as one JavaScript file for Node >= 20 (and Deno): Node strips no
 * TypeScript under node_modules, so an installed package must ship JavaScript. Dependencies are
 * bundled; miniflare stays a runtime dependency (it starts the workerd binary it installs), and
 * the QuickJS wasm is read from the installed @jitl packages through import.meta.resolve.
 */
export async function buildCli(root: string): Promise<string> {
  const out = join(root, "dist/cli.js");
  const result = await build({
    entryPoints: [join(root, "src/cli/main.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // ESM builds first: jsonc-parser's UMD build requires its parts at run time, which a bundle cannot.
    mainFields: ["module", "main"],
    external: ["miniflare"],
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM has no require.
    banner: { js: 'import { createRequire as __ratchetRequire } from "node:module"; const require = __ratchetRequire(import.meta.url);' },
    // The task guide (src/mcp/guide.ts) is imported as text, as wrangler's Text rule does.
    loader: { ".md": "text" },
    write: false,
    logLevel: "warning",
  });
  await writeAtomic(out, result.outputFiles[0]!.contents);
  return out;
}
