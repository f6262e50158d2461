import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lintCode, lintTask } from "../../src/ops/lint/lint.ts";

const task = (body: string) => `(function(input, context) {\n${body}\n})`;
const findings = (code: string, allow?: string[]) => lintCode(code, "main.js", allow).findings.filter((f) => f.rule === "fetch-not-allowed");

describe("lint rule fetch-not-allowed", () => {
  const allow = ["api.openweathermap.org", "*.github.com:443"];

  it("accepts literal URLs network.allow covers, and URLs it cannot read", () => {
    expect(findings(task('const r = fetch("https://api.openweathermap.org/data/2.5/weather?q=Paris");\nreturn r.body;'), allow)).toEqual([]);
    expect(findings(task("const r = fetch(`https://api.github.com/repos/${input.repo}`);\nreturn r.body;"), allow)).toEqual([]);
    expect(findings(task("const r = fetch(input.url);\nreturn r.body;"), allow)).toEqual([]);
    expect(findings(task("const r = fetch(`${input.base}/x`);\nreturn r.body;"), allow)).toEqual([]);
  });

  it("warns on a literal URL network.allow does not cover, at the argument", () => {
    const found = findings(task('const a = fetch("https://example.com/x");\nconst b = fetch(`http://api.github.com/${input.p}`);\nreturn [a.body, b.body];'), allow);
    expect(found.map((f) => [f.line, f.severity])).toEqual([
      [2, "warning"],
      [3, "warning"],
    ]);
    expect(found[0]!.message).toBe("fetch of example.com is refused at run time: network.allow in metadata.json (api.openweathermap.org, *.github.com:443) does not cover it");
    expect(found[1]!.message).toMatch(/fetch of api\.github\.com is refused/);
  });

  it("says nothing when the task declares no network.allow", () => {
    expect(findings(task('const r = fetch("https://example.com/x");\nreturn r.body;'))).toEqual([]);
  });

  it("reads network.allow from the task folder's metadata.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ratchet-lint-network-"));
    try {
      await writeFile(join(dir, "main.js"), task('const r = fetch("https://example.com/x");\nif (!r.ok) throw new NetworkError("down");\nreturn r.body;'));
      await writeFile(join(dir, "metadata.json"), JSON.stringify({ uuid: "0b6f4a4e-9a39-4a55-8f3e-6b1f2c3d4e5f", version: "1.0.0", label: "x", network: { allow: ["api.example.com"] } }));
      expect((await lintTask(dir)).findings.map((f) => f.rule)).toEqual(["fetch-not-allowed"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
