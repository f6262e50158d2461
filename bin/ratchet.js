#!/usr/bin/env node
// The CLI is TypeScript run by Node's type stripping (Node >= 22.18); the project installs Node 22 as a devDependency.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`ratchet needs Node >= 22.18 (this is ${process.version}). Run it through npm (npx ratchet, npm run ratchet --) to use the project's Node 22.`);
  process.exit(2);
}
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
