import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runProcess } from "../support/process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");

const ratchet = (cwd: string, ...args: string[]) => runProcess(process.execPath, [BIN, ...args], cwd);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-cli-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const fetcherTask = {
  "metadata.json": JSON.stringify({ uuid: "0b6d4f43-9d3b-4c6b-9a57-5a5c1bd3b0c4", version: "1.0.0", label: "Fetcher", timeout: 5000 }),
  "main.js": `(function(input, context) {
    console.log("fetching " + input.url);
    console.debug("debug detail");
    var first = fetch(input.url + "/count");
    var second = fetch(input.url + "/echo", { method: "POST", headers: { Authorization: "Bearer s3cret" } }, { note: input.note });
    if (!first.ok) throw new NetworkError("count failed");
    return { first: first.body.count, echoed: JSON.parse(second.body.body).note, trigger: context.trigger };
  })`,
  "input.schema.json": JSON.stringify({ type: "object", required: ["url"], properties: { url: { type: "string" }, note: { type: "string" } } }),
  "output.schema.json": JSON.stringify({ type: "object", required: ["first", "echoed"] }),
};

async function writeTask(dir: string, files: Record<string, string>): Promise<string> {
  const path = join(work, dir);
  await mkdir(join(path, "tests"), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(path, name), text);
  return path;
}

describe("ratchet CLI", () => {
  it("generates tasks from every template that pass validate and test at once", async () => {
    for (const template of ["basic", "api", "data"]) {
      const made = await ratchet(work, "generate", "task", `gen-${template}`, "--template", template, "--label", "Generated", "--tags", "a, b", "--include-docs", "--include-tests");
      expect(made.code).toBe(0);
      const metadata = JSON.parse(await readFile(join(work, `gen-${template}`, "metadata.json"), "utf8"));
      expect(metadata).toMatchObject({ version: "1.0.0", label: "Generated", tags: ["a", "b"], timeout: 30000, memory_limit: "64MB" });
      expect(metadata.network).toEqual(template === "api" ? { allow: ["api.example.com"] } : undefined);
      expect((await ratchet(work, "validate", `gen-${template}`)).code).toBe(0);
      const tested = await ratchet(work, "test", `gen-${template}`);
      expect(tested.code).toBe(0);
      expect(tested.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    }
    const strict = await ratchet(work, "generate", "task", "strict-one", "--timeout", "60000", "--memory-limit", "256MB", "--input-validation", "strict", "--include-tests");
    expect(strict.code).toBe(0);
    expect(JSON.parse(await readFile(join(work, "strict-one", "input.schema.json"), "utf8")).additionalProperties).toBe(false);
    expect(JSON.parse(await readFile(join(work, "strict-one", "metadata.json"), "utf8"))).toMatchObject({ timeout: 60000, memory_limit: "256MB" });
    expect((await ratchet(work, "test", "strict-one")).code).toBe(0);
    const rest = await ratchet(work, "generate", "task", "weather", "--from-template", "rest-api", "--no-include-tests");
    expect(rest.code).toBe(0);
    expect((await ratchet(work, "test", "weather")).stdout).toContain("0 passed, 0 failed");
  });

  it("refuses bad generate arguments with exit code 2", async () => {
    expect((await ratchet(work, "generate", "task", "x1", "--template", "nope")).code).toBe(2);
    expect((await ratchet(work, "generate", "task", "gen-basic")).stderr).toMatch(/already exists/);
    expect((await ratchet(work, "generate", "task", "x2", "--memory-limit", "lots")).code).toBe(2);
  });

  it("run-once prints the output on stdout, logs on stderr, with guest fetches to a real server", async () => {
    const dir = await writeTask("fetcher", fetcherTask);
    const input = JSON.stringify({ url: inject("upstreamUrl"), note: 'quote " newline \n backslash \\ ü' });
    const ran = await ratchet(work, "run-once", dir, `--input-json=${input}`);
    expect(ran.code).toBe(0);
    const output = JSON.parse(ran.stdout);
    expect(output.echoed).toBe('quote " newline \n backslash \\ ü');
    expect(output.trigger).toBe("cli");
    expect(ran.stderr).toContain(`[log] fetching ${inject("upstreamUrl")}`);
    expect(ran.stderr).not.toContain("debug detail");
    const debug = await ratchet(work, "run-once", "--from-fs", dir, `--input-json=${input}`, "--log-level", "debug");
    expect(debug.stderr).toContain("[debug] debug detail");
    expect(debug.stderr).toMatch(/\[http\] POST .*\/echo -> 200/);
  });

  it("run-once --record writes input, output, logs and a HAR of the exchanges", async () => {
    const dir = join(work, "fetcher");
    const inputFile = join(work, "input.json");
    await writeFile(inputFile, JSON.stringify({ url: inject("upstreamUrl"), note: "recorded" }));
    const out = join(work, "record");
    const ran = await ratchet(work, "run-once", dir, "--input-file", inputFile, "--record", out);
    expect(ran.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, "input.json"), "utf8")).note).toBe("recorded");
    expect(JSON.parse(await readFile(join(out, "output.json"), "utf8")).echoed).toBe("recorded");
    expect(JSON.parse(await readFile(join(out, "logs.json"), "utf8"))[0].level).toBe("log");
    const har = JSON.parse(await readFile(join(out, "http.har"), "utf8"));
    expect(har.log.version).toBe("1.2");
    expect(har.log.entries.map((e: { request: { method: string } }) => e.request.method)).toEqual(["GET", "POST"]);
    const post = har.log.entries[1];
    expect(JSON.parse(post.request.postData.text)).toEqual({ note: "recorded" });
    expect(post.request.headers).toContainEqual({ name: "Authorization", value: "redacted" });
    expect(post.response.status).toBe(200);
  });

  it("exits 1 when the task fails and 2 for usage errors or invalid tasks, saying what and where", async () => {
    const dir = join(work, "fetcher");
    const badInput = await ratchet(work, "run-once", dir, "--input-json", '{"note": 1}');
    expect(badInput.code).toBe(1);
    expect(badInput.stderr).toContain("InputSchemaError");
    expect(badInput.stderr).toMatch(/\(root\): .*url/);
    const refused = await ratchet(work, "run-once", dir, "--input-json", JSON.stringify({ url: "http://127.0.0.1:1" }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: NetworkError: GET http:\/\/127.0.0.1:1\/count failed/);
    expect(refused.stderr).toMatch(/main\.js:4/);
    expect((await ratchet(work, "run-once", dir, "--input-json", "{not json")).code).toBe(2);
    expect((await ratchet(work, "run-once")).code).toBe(2);
    expect((await ratchet(work, "frobnicate")).code).toBe(2);
    expect((await ratchet(work, "validate", join(work, "missing"))).stderr).toMatch(/missing: no such folder; give the path of a task folder/);

    const broken = await writeTask("broken", { ...fetcherTask, "main.js": "(function(input) {\n  return input +;\n})", "input.schema.json": '{"type": "object",}' });
    const validated = await ratchet(work, "validate", broken);
    expect(validated.code).toBe(2);
    expect(validated.stdout).toMatch(/input\.schema\.json:1:\d+: Invalid JSON/);
  });

  it("honours the guide's --config YAML: durations, schema validation, and says what it ignores", async () => {
    const dir = await writeTask("slow", {
      "metadata.json": JSON.stringify({ uuid: "5a0f3c2e-6d1b-4f8a-9e7c-2b4d6f8a0c1e", version: "1.0.0", label: "Slow" }),
      "main.js": "(function(input) { return { status: fetch(input.url + '/slow?ms=' + input.ms).status }; })",
      "input.schema.json": JSON.stringify({ type: "object", required: ["url", "ms"], properties: { ms: { type: "integer" } } }),
      "output.schema.json": JSON.stringify({ type: "object" }),
    });
    const config = join(work, "config.yaml");
    const input = (ms: unknown) => `--input-json=${JSON.stringify({ url: inject("upstreamUrl"), ms })}`;

    await writeFile(config, "execution:\n  max_execution_duration: 0.3  # seconds\n");
    const wall = await ratchet(work, "--config", config, "run-once", dir, input(3000));
    expect(wall.code).toBe(1);
    expect(wall.stderr).toContain("TimeLimitError: Wall-clock limit of 300 ms");

    await writeFile(config, "http:\n  timeout: 0.2\n  verify_ssl: false\nmcp:\n  enabled: true\n");
    const timeout = await ratchet(work, "--config", config, "run-once", dir, input(3000));
    expect(timeout.stderr).toMatch(/NetworkError: GET .* timed out after 200 ms/);
    expect(timeout.stderr).toContain('section "mcp" is not used');
    expect(timeout.stderr).toContain("verify_ssl: false is ignored");

    await writeFile(config, "execution:\n  validate_schemas: false\n");
    const unchecked = await ratchet(work, "--config", config, "run-once", dir, input("10"));
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout)).toEqual({ status: 200 });

    await writeFile(config, "execution: [not, a, mapping\n");
    expect((await ratchet(work, "--config", config, "run-once", dir, input(10))).stderr).toMatch(/not valid YAML/);
    await writeFile(config, "execution:\n  max_execution_duration: soon\n");
    const wrong = await ratchet(work, "--config", config, "run-once", dir, input(10));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("/execution/max_execution_duration");
  });

  it("test prints each result, a diff for failures, and 'N passed, M failed'", async () => {
    const dir = await writeTask("tested", {
      ...fetcherTask,
      "main.js": "(function(input) { return { first: input.n * 2, echoed: 'x' }; })",
      "input.schema.json": JSON.stringify({ type: "object", required: ["n"] }),
      "tests/a.json": JSON.stringify({ name: "doubles", input: { n: 2 }, expected_output: { first: 4 } }),
      "tests/b.json": JSON.stringify({ name: "wrong on purpose", input: { n: 3 }, expected_output: { first: 7 } }),
      "tests/c.json": JSON.stringify({ name: "bad input", input: {}, expected_error: { type: "InputSchemaError" } }),
    });
    const tested = await ratchet(work, "test", dir);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain("PASS doubles");
    expect(tested.stdout).toContain("FAIL wrong on purpose");
    expect(tested.stdout).toContain('-  "first": 7');
    expect(tested.stdout).toContain('+  "first": 6');
    expect(tested.stdout.trim().split("\n").at(-1)).toBe("2 passed, 1 failed");
  });
});

describe("ratchet under Deno", () => {
  it("runs run-once unchanged (Deno from the npm registry)", async () => {
    const deno = join(ROOT, "node_modules/.bin/deno");
    const ran = await runProcess(deno, ["run", "--allow-all", BIN, "run-once", join(ROOT, "tasks/addition"), '--input-json={"num1": 2, "num2": 40}'], ROOT);
    expect(ran.stderr).not.toMatch(/error/i);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ sum: 42 });
  });
});
