#!/usr/bin/env node
// The CLI is built to dist/cli.js (npm run build; prepare and prepack run it), so it runs on Node >= 20.
import { existsSync } from "node:fs";

const built = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(built)) {
  console.error("ratchet: dist/cli.js is missing: this checkout has not been built. Run `npm run build` (npm install does it).");
  process.exit(2);
}
const { runCli } = await import(built.href);
process.exitCode = await runCli(process.argv.slice(2));
