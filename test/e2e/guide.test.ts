import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks, jsonValues, readGuide, section, walkthroughScript } from "../support/guide.ts";

/**
 * The guide's walkthroughs, run as the guide writes them: its shell blocks verbatim in bash with
 * `ratchet` on PATH, its files written as shown. The real APIs they call (OpenWeatherMap,
 * httpbin) are stood in for by a server on 127.0.0.1 through RATCHET_HOST_MAP.
 */
const ROOT = resolve(import.meta.dirname, "../..");

interface Seen {
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
}

let work: string;
let pathDir: string;
let api: Server;
let apiOrigin: string;
const seen: Seen[] = [];

function startApi(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === "/data/2.5/weather") {
      if (url.searchParams.get("appid") !== "test-key") return json(401, { cod: 401, message: "Invalid API key" });
      return json(200, { name: url.searchParams.get("q"), main: { temp: 20.5 }, weather: [{ description: "clear sky" }] });
    }
    if (url.pathname === "/json") return json(200, { slideshow: { author: "Yours Truly", title: "Sample Slide Show" } });
    if (url.pathname === "/headers") return json(200, { headers: req.headers });
    json(404, { error: "not found" });
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

function bash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn("bash", ["-c", script], {
      cwd,
      env: {
        ...process.env,
        PATH: `${pathDir}:${process.env.PATH}`,
        NO_COLOR: "1",
        RATCHET_HOST_MAP: `api.openweathermap.org=${apiOrigin},httpbin.org=${apiOrigin}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** Runs a walkthrough in a fresh working directory, as a new user would (`mkdir my-ratchet-tasks && cd`). */
async function follow(name: string, text: string) {
  const cwd = join(work, name);
  await mkdir(cwd);
  const ran = await bash(walkthroughScript(codeBlocks(text)), cwd);
  if (ran.code !== 0) throw new Error(`the walkthrough "${name}" failed (exit ${ran.code})\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return { ...ran, cwd };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-guide-"));
  pathDir = join(work, "bin");
  await mkdir(pathDir);
  // `ratchet` on PATH, as the guide's first step checks.
  const shim = join(pathDir, "ratchet");
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin/ratchet.js")}" "$@"\n`);
  await chmod(shim, 0o755);
  api = await startApi();
  apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  api.closeAllConnections();
  await new Promise((done) => api.close(done));
  await rm(work, { recursive: true, force: true });
});

describe("the task guide, followed literally", () => {
  it("Initial Setup: ratchet is on PATH and answers --version and --help", async () => {
    const guide = await readGuide();
    const setup = codeBlocks(section(guide, "#### 1. Verify Ratchet Installation"));
    const ran = await bash(walkthroughScript(setup), work);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^\d+\.\d+\.\d+/m);
    expect(ran.stdout).toContain("run-once");
  });

  it("Development Workflow with Binary: the weather walkthrough, steps 1 to 4", async () => {
    const guide = await readGuide();
    const { stdout, cwd } = await follow("weather", section(guide, "### Development Workflow with Binary"));
    const [output] = jsonValues(stdout) as Record<string, unknown>[];
    expect(output).toMatchObject({ location: "London", temperature: 20.5, description: "clear sky", units: "metric" });
    expect(stdout.trim().split("\n").at(-1)).toBe("1 passed, 0 failed");
    expect(await readdir(join(cwd, "weather-api", "tests"))).toEqual(["test-001.json"]);
    const weather = seen.filter((request) => request.path === "/data/2.5/weather");
    expect(weather.length).toBeGreaterThanOrEqual(2);
    expect(weather[0]!.query).toEqual({ q: "London", appid: "test-key", units: "metric" });
  });

  it("Complete Example 1: the data filter", async () => {
    const guide = await readGuide();
    const { stdout } = await follow("example-1", section(guide, "### Example 1: Simple Data Processing Task"));
    const [output] = jsonValues(stdout) as Record<string, unknown>[];
    expect(output).toMatchObject({ originalCount: 3, filteredCount: 1, data: [{ name: "Charlie", age: 35 }] });
    expect(stdout.trim().split("\n").at(-1)).toBe("1 passed, 0 failed");
  });

  it("Complete Example 2: the REST API fetcher, tested with the binary", async () => {
    const guide = await readGuide();
    const example = section(guide, "### Example 2: REST API Integration Task");
    // Its MCP half is the MCP server's to follow.
    const binaryPart = example.slice(0, example.indexOf("#### Testing with MCP"));
    const { stdout } = await follow("example-2", binaryPart);
    const [json, headers] = jsonValues(stdout) as { status: number; method: string; data: Record<string, unknown> }[];
    expect(json).toMatchObject({ status: 200, method: "GET", data: { slideshow: { title: "Sample Slide Show" } } });
    expect(headers!.status).toBe(200);
    expect((headers!.data.headers as Record<string, string>)["user-agent"]).toBe("Ratchet-Task/1.0");
  });
});
