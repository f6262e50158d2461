import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../support/process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");

const ratchet = (cwd: string, ...args: string[]) => runProcess(process.execPath, [BIN, ...args], cwd);

let work: string;
let shims: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-authoring-"));
  // A `ratchet` on PATH, so README commands run exactly as printed.
  shims = join(work, ".bin");
  await mkdir(shims);
  await writeFile(join(shims, "ratchet"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(shims, "ratchet"), 0o755);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const exists = (path: string) => stat(path).then(() => true, () => false);
const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8"));
const shell = (cwd: string, line: string) => runProcess("bash", ["-c", `PATH="${shims}:$PATH"\nset -e\n${line}`], cwd);

/** Writes files into a folder of `work`, creating it and its subfolders. */
async function writeFolder(dir: string, files: Record<string, string>): Promise<string> {
  const path = join(work, dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(path, name, ".."), { recursive: true });
    await writeFile(join(path, name), text);
  }
  return path;
}

/** The commands in a README's bash block, one per line. */
function readmeCommands(readme: string): string[] {
  const block = /```bash\n([^]*?)```/.exec(readme);
  return (block?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");
}

describe("ratchet generate task", () => {
  it("by default writes no tests/, and the guide's walkthrough (rewrite input.schema.json and main.js) passes validate, run-once and test", async () => {
    const made = await ratchet(work, "generate", "task", "weather-api", "--label", "Weather API Fetcher");
    expect(made.code).toBe(0);
    const dir = join(work, "weather-api");
    expect(await exists(join(dir, "tests"))).toBe(false);
    expect(await readJson(join(dir, "metadata.json"))).toMatchObject({ label: "Weather API Fetcher", memory_limit: "64MB", timeout: 30000 });
    expect((await readJson(join(dir, "output.schema.json"))).description).toMatch(/tighten it/);
    expect((await ratchet(dir, "run-once", ".", "--input-json", '{"name": "Ada"}')).code).toBe(0);

    await writeFile(
      join(dir, "input.schema.json"),
      JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", required: ["location"], properties: { location: { type: "string", minLength: 1 } } }),
    );
    await writeFile(join(dir, "main.js"), "(function(input, context) {\n  return { location: input.location, temperature: 20.5, timestamp: new Date().toISOString() };\n})\n");
    const validated = await ratchet(dir, "validate", ".");
    expect(validated.stdout).not.toMatch(/warning|error/);
    expect(validated.code).toBe(0);
    const ran = await ratchet(dir, "run-once", ".", '--input-json={"location": "London"}');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ location: "London", temperature: 20.5 });
    const written = await shell(dir, `mkdir tests\ncat > tests/test-001.json << EOF\n{"name": "London", "input": {"location": "London"}, "expected_output": {"location": "London", "temperature": 20.5}}\nEOF`);
    expect(written.code).toBe(0);
    const tested = await ratchet(dir, "test", ".");
    expect(tested.code).toBe(0);
    expect(tested.stdout.trim().split("\n").at(-1)).toBe("1 passed, 0 failed");
  });

  it("with --include-tests writes tests that pass, for every template", async () => {
    for (const template of ["basic", "api", "data"]) {
      const name = `with-tests-${template}`;
      expect((await ratchet(work, "generate", "task", name, "--template", template, "--include-tests")).code).toBe(0);
      expect((await readdir(join(work, name, "tests"))).length).toBeGreaterThan(0);
      const validated = await ratchet(work, "validate", name);
      expect(validated.code).toBe(0);
      expect(validated.stdout).not.toMatch(/warning/);
      const tested = await ratchet(work, "test", name);
      expect(tested.code).toBe(0);
      expect(tested.stdout.trim().split("\n").at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
    }
    // The upstream spelling of "no tests" is still accepted.
    expect((await ratchet(work, "generate", "task", "no-tests", "--no-include-tests")).code).toBe(0);
    expect(await exists(join(work, "no-tests", "tests"))).toBe(false);
  });

  it("with --include-docs writes a README whose commands work as printed, from the task folder", async () => {
    for (const [name, extra] of [
      ["docs-data", ["--template", "data"]],
      ["docs-tested", ["--include-tests"]],
    ] as const) {
      expect((await ratchet(work, "generate", "task", name, "--include-docs", ...extra)).code).toBe(0);
      const dir = join(work, name);
      const readme = await readFile(join(dir, "README.md"), "utf8");
      expect(readme).toMatch(/Run these from this folder/);
      const commands = readmeCommands(readme);
      expect(commands.length).toBeGreaterThanOrEqual(3);
      for (const command of commands) {
        const ran = await shell(dir, command);
        expect({ command, code: ran.code, stderr: ran.stderr }).toMatchObject({ command, code: 0 });
      }
    }
  });

  it("--retry-attempts is stored in metadata as retry_attempts, and checked", async () => {
    expect((await ratchet(work, "generate", "task", "retried", "--retry-attempts", "3", "--timeout", "60000")).code).toBe(0);
    expect(await readJson(join(work, "retried", "metadata.json"))).toMatchObject({ retry_attempts: 3, timeout: 60000 });
    expect((await ratchet(work, "validate", "retried")).code).toBe(0);
    const refused = await ratchet(work, "generate", "task", "retried-0", "--retry-attempts", "0");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--retry-attempts must be a whole number from 1 to 10/);
    expect(await exists(join(work, "retried-0"))).toBe(false);
  });

  it("--memory-limit takes any case and writes the canonical form; above the host maximum it warns, naming the cap, at generate, validate and run-once", async () => {
    const lower = await ratchet(work, "generate", "task", "mem-lower", "--memory-limit", "128mb");
    expect(lower.code).toBe(0);
    expect(lower.stderr).toBe("");
    expect((await readJson(join(work, "mem-lower", "metadata.json"))).memory_limit).toBe("128MB");
    const validated = await ratchet(work, "validate", "mem-lower");
    expect(validated.code).toBe(0);
    expect(validated.stdout).not.toMatch(/warning/);

    const above = await ratchet(work, "generate", "task", "mem-above", "--memory-limit", "256 MB");
    expect(above.code).toBe(0);
    expect(above.stderr).toMatch(/warning: .*memory_limit "256MB" is above this host's maximum of 128 MiB; runs are capped at 128 MiB/);
    expect((await readJson(join(work, "mem-above", "metadata.json"))).memory_limit).toBe("256MB");
    const checked = await ratchet(work, "validate", "mem-above");
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/warning: metadata.json:\d+:\d+ \/memory_limit: .*maximum of 128 MiB/);
    const ran = await ratchet(work, "run-once", "mem-above", "--input-json", '{"name": "Ada"}');
    expect(ran.code).toBe(0);
    expect(ran.stderr).toMatch(/warning: .*\/memory_limit: .*capped at 128 MiB/);

    const tiny = await ratchet(work, "generate", "task", "mem-tiny", "--memory-limit", "10KB");
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(/below the minimum of 32 KiB/);
  });
});

const taskFiles = {
  "metadata.json": JSON.stringify({ uuid: "0b6d4f43-9d3b-4c6b-9a57-5a5c1bd3b0c4", version: "1.0.0", label: "Broken" }, null, 2),
  "main.js": "(function(input) { return { location: input.location }; })\n",
  "input.schema.json": JSON.stringify({ type: "object", required: ["location"], properties: { location: { type: "string" } } }, null, 2),
  "output.schema.json": JSON.stringify({ type: "object" }, null, 2),
  "tests/test-001.json": JSON.stringify({ input: { location: "Paris" }, expected_output: { location: "Paris" } }, null, 2),
};

describe("ratchet validate", () => {
  it("reports both files that do not parse, and the problems of the others", async () => {
    const dir = await writeFolder("two-broken", {
      ...taskFiles,
      "input.schema.json": '{\n  "type": "object",\n}\n',
      "tests/test-001.json": '{ "input": {"location": "Paris"} ',
      "metadata.json": JSON.stringify({ uuid: "0b6d4f43-9d3b-4c6b-9a57-5a5c1bd3b0c4", version: "1", label: "Broken" }),
    });
    const checked = await ratchet(work, "validate", dir);
    expect(checked.code).toBe(2);
    expect(checked.stdout).toMatch(/^error: input\.schema\.json:3:1: Invalid JSON/m);
    expect(checked.stdout).toMatch(/^error: tests\/test-001\.json:1:\d+: Invalid JSON/m);
    expect(checked.stdout).toMatch(/^error: metadata\.json:1:\d+ \/version: /m);
    expect(checked.stderr).toMatch(/is not a valid task: 3 errors/);
  });

  it('warns on "requred" with a did-you-mean, and says unknown type "sting"', async () => {
    const dir = await writeFolder("misspelled", {
      ...taskFiles,
      "output.schema.json": '{\n  "type": "object",\n  "requred": ["location"],\n  "properties": { "location": { "type": "sting" } }\n}\n',
    });
    const checked = await ratchet(work, "validate", dir);
    expect(checked.code).toBe(2);
    expect(checked.stdout).toContain('warning: output.schema.json:3:3 /requred: Unknown keyword "requred" is ignored; did you mean "required"?');
    expect(checked.stdout).toContain('error: output.schema.json:4:33 /properties/location/type: unknown type "sting"; did you mean "string"?');
    expect(checked.stdout).not.toMatch(/anyOf|subschemas/);
  });

  it("warns when a test's input does not match the input schema; --fail-on-warnings makes that invalid (exit 2)", async () => {
    const dir = await writeFolder("stale-test", { ...taskFiles, "tests/test-002.json": JSON.stringify({ input: { name: "Ada" }, expected_output: { greeting: "Hello, Ada." } }) });
    const checked = await ratchet(work, "validate", dir);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/warning: tests\/test-002\.json:1:2 \/input: The input does not match input\.schema\.json: Value does not have required property "location"/);
    expect(checked.stdout).toMatch(/^ok: .* is a valid task \(1 warning\)/m);
    const strict = await ratchet(work, "validate", dir, "--fail-on-warnings");
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/1 warning and --fail-on-warnings treats them as errors/);
    const clean = await writeFolder("clean", taskFiles);
    expect((await ratchet(work, "validate", clean, "--fail-on-warnings")).code).toBe(0);
  });

  it("--verbose says what was checked, file by file", async () => {
    const dir = await writeFolder("verbose", taskFiles);
    const checked = await ratchet(work, "validate", dir, "--verbose");
    expect(checked.code).toBe(0);
    for (const file of ["metadata.json", "input.schema.json", "output.schema.json", "tests/test-001.json", "main.js"]) {
      expect(checked.stdout).toMatch(new RegExp(`^  ${file.replace(".", "\\.")}: ok$`, "m"));
    }
    expect(checked.stdout).toMatch(/- input against input\.schema\.json/);
    expect(checked.stdout).toMatch(/- syntax and entry point/);
    const { "main.js": _code, ...withoutCode } = taskFiles;
    const missing = await ratchet(work, "validate", await writeFolder("verbose-missing", withoutCode), "--verbose");
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^  main\.js: 1 error$/m);
  });

  it("a missing folder or a file given as the folder is a clear error, exit 2", async () => {
    const missing = await ratchet(work, "validate", "no-such-task");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: no-such-task: no such folder; give the path of a task folder/m);
    const file = await ratchet(work, "run-once", join("verbose", "main.js"));
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/main\.js is a file, not a task folder/);
  });
});
