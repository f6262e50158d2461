import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runProcess } from "../support/process.ts";
import { alive, descendants, startServe } from "../support/serve-process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
// The machine's own Node and npm (/usr/bin), not the project's Node 22 that npm puts first on PATH.
const MACHINE_PATH = `/usr/bin:/bin:${process.env.PATH}`;

let work: string;
let bin: string;
let env: NodeJS.ProcessEnv;

/** Packs the project and installs the tarball globally into a temporary prefix with the machine's npm and Node. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-install-"));
  const packed = await runProcess("/usr/bin/npm", ["pack", "--pack-destination", work, "--silent"], ROOT, { PATH: MACHINE_PATH });
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(work, packed.stdout.trim().split("\n").pop()!);
  const prefix = join(work, "prefix");
  const installed = await runProcess("/usr/bin/npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", tarball], work, { PATH: MACHINE_PATH });
  expect(installed.code, installed.stderr).toBe(0);
  bin = join(prefix, "bin/ratchet");
  env = { PATH: `${join(prefix, "bin")}:${MACHINE_PATH}` };
}, 400_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A new empty folder outside the repository. */
const emptyFolder = () => mkdtemp(join(tmpdir(), "ratchet-user-"));

describe("the packed package, installed globally with the machine's Node", () => {
  it("runs on the machine's Node and answers --version and --help from any folder", async () => {
    const cwd = await emptyFolder();
    const node = await runProcess("node", ["--version"], cwd, env);
    expect(node.stdout.trim()).toBe((await runProcess("/usr/bin/node", ["--version"], cwd)).stdout.trim());
    const version = await runProcess(bin, ["--version"], cwd, env);
    expect(version.code, version.stderr).toBe(0);
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await runProcess(bin, ["--help"], cwd, env);
    expect(help.code).toBe(0);
    for (const command of ["validate", "run-once", "test", "generate", "deploy", "serve"]) expect(help.stdout).toContain(command);
  });

  it("generates, validates, tests and runs a task in an empty folder", async () => {
    const cwd = await emptyFolder();
    const generated = await runProcess(bin, ["generate", "task", "x", "--include-tests"], cwd, env);
    expect(generated.code, generated.stderr).toBe(0);
    const validated = await runProcess(bin, ["validate", "x"], cwd, env);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    const tested = await runProcess(bin, ["test", "x"], cwd, env);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/[1-9]\d* passed, 0 failed/);
    const ran = await runProcess(bin, ["run-once", "x", "--input-json", '{"name": "Ada"}'], cwd, env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(typeof JSON.parse(ran.stdout)).toBe("object");
  });

  it("sends a guest fetch for a host RATCHET_HOST_MAP names to the local stand-in", async () => {
    const cwd = await emptyFolder();
    const dir = join(cwd, "fetcher");
    await mkdir(dir);
    await writeFile(join(dir, "metadata.json"), JSON.stringify({ uuid: "0b6d1f52-4f2e-4c1a-9a4d-2f3e5b6c7d80", version: "1.0.0", label: "Fetcher" }));
    await writeFile(join(dir, "main.js"), `(function(input) { var r = fetch("https://api.example.test/json?who=" + input.who); return { status: r.status, body: r.body }; })`);
    await writeFile(join(dir, "input.schema.json"), JSON.stringify({ type: "object", required: ["who"] }));
    await writeFile(join(dir, "output.schema.json"), JSON.stringify({ type: "object" }));
    const ran = await runProcess(bin, ["run-once", "fetcher", "--input-json", '{"who": "installed"}'], cwd, { ...env, RATCHET_HOST_MAP: `api.example.test=${inject("upstreamUrl")}` });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ status: 200, body: { hello: "world", query: { who: "installed" } } });
  });

  it("serves a tasks folder with the installed command, then stops with its workerd on SIGTERM", async () => {
    const cwd = await emptyFolder();
    await mkdir(join(cwd, "tasks"));
    expect((await runProcess(bin, ["generate", "task", "hello", "--dir", "tasks"], cwd, env)).code).toBe(0);
    const server = startServe(bin, ["serve", "--port", "0", "--no-watch"], cwd, env);
    try {
      const [, base] = await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000);
      await server.waitFor(/1 tasks deployed: hello/, 60_000);
      const tree = descendants(server.child.pid!);
      expect(tree.length).toBeGreaterThan(0);
      const response = await fetch(`${base}/api/v1/run/hello`, { method: "POST", body: JSON.stringify({ name: "Ada" }) });
      expect(response.status, await response.clone().text()).toBe(200);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(server.log()).toContain("SIGTERM: stopping");
      expect(tree.filter(alive)).toEqual([]);
    } finally {
      server.child.kill("SIGKILL");
    }
  }, 180_000);
});
