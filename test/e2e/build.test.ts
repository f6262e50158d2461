import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runProcess } from "../support/process.ts";

const ROOT = resolve(import.meta.dirname, "../..");

describe("wrangler deploy --dry-run", () => {
  it("builds the Worker with the QuickJS wasm bundled as a compiled module", async () => {
    const out = await mkdtemp(join(tmpdir(), "ratchet-build-"));
    const built = await runProcess(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], ROOT);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain("env.DB (ratchet)");
    expect(built.stdout).toContain("env.BUNDLES (ratchet-bundles)");
    const files = await readdir(out);
    expect(files).toContain("index.js");
    // wrangler names the compiled module after its content hash: "<sha1>-wasm".
    expect(files.some((f) => /^[0-9a-f]{40}-wasm$/.test(f))).toBe(true);
    await rm(out, { recursive: true, force: true });
  });
});
