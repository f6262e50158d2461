import { XMLParser, XMLValidator } from "fast-xml-parser";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcess } from "../support/long-running.ts";
import { runProcess } from "../support/process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");

const ratchet = (cwd: string, ...args: string[]) => runProcess(process.execPath, [BIN, ...args], cwd);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-devloop-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A task that doubles a number; `n` below 0 is a DataError. */
const doubler = {
  "metadata.json": json({ uuid: "5f0c1c51-6b1e-4d43-9d0e-0d2f3c0f6a11", version: "1.2.3", label: "Doubler", tags: ["math", "example"], timeout: 5000 }),
  "main.js": `(function(input, context) {
  if (input.n < 0) throw new DataError("n must not be negative");
  return { doubled: input.n * 2 };
})`,
  "input.schema.json": json({ type: "object", required: ["n"], properties: { n: { type: "number" } } }),
  "output.schema.json": json({ type: "object", required: ["doubled"], properties: { doubled: { type: "number" } } }),
};
const passing = { name: "doubles 2", input: { n: 2 }, expected_output: { doubled: 4 } };
const failing = { name: "claims 3 doubles to 7 <&>", input: { n: 3 }, expected_output: { doubled: 7 } };

async function writeTask(name: string, files: Record<string, string>, tests: Record<string, unknown> = {}): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, "tests"), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  for (const [file, test] of Object.entries(tests)) await writeFile(join(dir, "tests", file), json(test));
  return dir;
}

type XmlElement = { tag: string; attrib: Record<string, string>; text: string; children: XmlElement[] };
type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

/** Parses XML with a real parser (fast-xml-parser, refusing XML that is not well-formed) into elements. */
function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}\n${text}`);
  const nodes = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "", parseTagValue: false, parseAttributeValue: false, trimValues: false }).parse(text) as OrderedNode[];
  const convert = (node: OrderedNode): XmlElement => {
    const tag = Object.keys(node).find((key) => key !== ":@")!;
    const content = node[tag] as OrderedNode[];
    const text = content.filter((child) => "#text" in child).map((child) => String(child["#text"])).join("");
    const children = content.filter((child) => !("#text" in child)).map(convert);
    return { tag, attrib: node[":@"] ?? {}, text, children };
  };
  const root = nodes.find((node) => !Object.keys(node).some((key) => key.startsWith("?")))!;
  return convert(root);
}

describe("ratchet test reports", () => {
  it("prints JUnit XML a parser reads: a testsuite with tests, failures and time, a testcase per test, the failure with its message and diff", async () => {
    const dir = await writeTask("junit", doubler, { "a-pass.json": passing, "b-fail.json": failing });
    const ran = await ratchet(work, "test", dir, "--report-format", "junit");
    expect(ran.code).toBe(1);
    const root = parseXml(ran.stdout);
    type El = XmlElement;
    const suite = (root.tag === "testsuite" ? root : (root.children as El[]).find((c) => c.tag === "testsuite"))!;
    expect(suite.attrib).toMatchObject({ tests: "2", failures: "1" });
    expect(Number(suite.attrib.time)).toBeGreaterThanOrEqual(0);
    const cases = (suite.children as El[]).filter((c) => c.tag === "testcase");
    expect(cases.map((c) => c.attrib.name)).toEqual(["doubles 2", "claims 3 doubles to 7 <&>"]);
    expect(cases[0]!.children).toEqual([]);
    const failure = (cases[1]!.children as El[])[0]!;
    expect(failure.tag).toBe("failure");
    expect(failure.attrib.message).toContain("output does not match expected_output");
    expect(failure.text).toMatch(/-\s*"doubled": 7/);
    expect(failure.text).toMatch(/\+\s*"doubled": 6/);
  });

  it("prints a JSON report with every test's outcome", async () => {
    const ran = await ratchet(work, "test", join(work, "junit"), "--report-format", "json");
    expect(ran.code).toBe(1);
    const report = JSON.parse(ran.stdout);
    expect(report).toMatchObject({ task: { label: "Doubler", version: "1.2.3" }, passed: 1, failed: 1 });
    expect(report.tests[0]).toMatchObject({ file: "tests/a-pass.json", passed: true, output: { doubled: 4 } });
    expect(report.tests[1]).toMatchObject({ passed: false, failure: "output does not match expected_output" });
    expect(report.tests[1].diff).toContain("7");
  });

  it("a task without tests warns and exits 1, unless --pass-with-no-tests; a missing folder or format is exit 2", async () => {
    const dir = await writeTask("no-tests", doubler);
    const ran = await ratchet(work, "test", dir);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/no tests/);
    expect((await ratchet(work, "test", dir, "--pass-with-no-tests")).code).toBe(0);
    const missing = await ratchet(work, "test", join(work, "nowhere"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nowhere");
    expect((await ratchet(work, "test", dir, "--report-format", "xml")).code).toBe(2);
  });

  it("--watch runs the tests again when a file in the folder changes, until Ctrl-C", async () => {
    const dir = await writeTask("watched-tests", doubler, { "a-pass.json": passing });
    const watching = startProcess(process.execPath, [BIN, "test", dir, "--watch"], work);
    try {
      await watching.waitFor(({ stderr }) => stderr.includes("Ctrl-C stops"));
      expect(watching.stdout()).toContain("1 passed, 0 failed");
      await writeFile(join(dir, "main.js"), doubler["main.js"].replace("input.n * 2", "input.n * 3"));
      await watching.waitFor(({ stdout }) => stdout.includes("0 passed, 1 failed"));
      expect(watching.stderr()).toMatch(/main\.js changed; running again/);
    } finally {
      expect(await watching.interrupt()).toBe(0);
    }
  });
});

describe("ratchet run-batch", () => {
  it("runs once per input file in parallel: a line per file with status and duration, a summary, exit 1 when any failed", async () => {
    const dir = await writeTask("batch", doubler);
    const inputs = join(work, "inputs");
    await mkdir(inputs);
    await writeFile(join(inputs, "one.json"), json({ n: 1 }));
    await writeFile(join(inputs, "two.json"), json({ n: 2 }));
    await writeFile(join(inputs, "negative.json"), json({ n: -1 }));
    await writeFile(join(inputs, "broken.json"), "{ not json");
    await writeFile(join(inputs, "notes.txt"), "not an input");
    const ran = await ratchet(work, "run-batch", dir, "--input-dir", inputs, "--parallel", "3");
    expect(ran.code).toBe(1);
    const lines = ran.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines).toContainEqual(expect.stringMatching(/^ok\s+one\.json \(\d+ ms\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL negative\.json \(\d+ ms\): DataError: n must not be negative$/));
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL broken\.json \(\d+ ms\): InputParseError: broken\.json is not valid JSON/));
    expect(lines.at(-1)).toMatch(/^4 inputs: 2 completed, 2 failed/);

    const aggregated = await ratchet(work, "run-batch", dir, "--input-dir", inputs, "--aggregate-results");
    const results = JSON.parse(aggregated.stdout);
    expect(results).toMatchObject({ completed: 2, failed: 2 });
    expect(results.results["two.json"]).toEqual({ status: "completed", output: { doubled: 4 } });
    expect(results.results["negative.json"].error.type).toBe("DataError");

    await rm(join(inputs, "negative.json"));
    await rm(join(inputs, "broken.json"));
    expect((await ratchet(work, "run-batch", dir, "--input-dir", inputs)).code).toBe(0);
  });

  it("a missing --input-dir, a folder that does not exist or a bad --parallel is exit 2", async () => {
    const dir = join(work, "batch");
    expect((await ratchet(work, "run-batch", dir)).stderr).toMatch(/--input-dir/);
    const missing = await ratchet(work, "run-batch", dir, "--input-dir", join(work, "no-inputs"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-inputs is not a folder/);
    expect((await ratchet(work, "run-batch", dir, "--input-dir", join(work, "inputs"), "--parallel", "0")).code).toBe(2);
    expect((await ratchet(work, "run-batch", join(work, "nowhere"), "--input-dir", join(work, "inputs"))).code).toBe(2);
  });
});

describe("ratchet clone task", () => {
  it("copies a task with a new uuid, a label from the new folder, version 1.0.0, and no tests with --clear-tests; the copy validates", async () => {
    const source = await writeTask("clone-source", doubler, { "a-pass.json": passing });
    const ran = await ratchet(work, "clone", "task", source, join(work, "price-doubler"), "--update-metadata", "--clear-tests");
    expect(ran.code).toBe(0);
    const metadata = JSON.parse(await readFile(join(work, "price-doubler", "metadata.json"), "utf8"));
    const original = JSON.parse(doubler["metadata.json"]);
    expect(metadata.uuid).not.toBe(original.uuid);
    expect(metadata).toMatchObject({ label: "Price Doubler", version: "1.0.0", tags: original.tags });
    expect(Object.keys(metadata)).toEqual(Object.keys(original));
    expect((await ratchet(work, "validate", join(work, "price-doubler"))).code).toBe(0);
    const tested = await ratchet(work, "test", join(work, "price-doubler"));
    expect(tested.stderr).toMatch(/no tests/);

    const kept = await ratchet(work, "clone", "task", source, join(work, "with-tests"));
    expect(kept.code).toBe(0);
    expect((await ratchet(work, "test", join(work, "with-tests"))).code).toBe(0);
  });

  it("refuses to overwrite an existing folder and to copy a missing one (exit 2)", async () => {
    const source = join(work, "clone-source");
    const before = await readFile(join(work, "price-doubler", "metadata.json"), "utf8");
    const again = await ratchet(work, "clone", "task", source, join(work, "price-doubler"));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect(await readFile(join(work, "price-doubler", "metadata.json"), "utf8")).toBe(before);
    expect((await ratchet(work, "clone", "task", join(work, "nowhere"), join(work, "copy-of-nothing"))).code).toBe(2);
  });
});

describe("ratchet update task-metadata", () => {
  it("changes the asked keys in place, keeping the key order and 2-space layout", async () => {
    const dir = await writeTask("update-me", doubler);
    const ran = await ratchet(work, "update", "task-metadata", dir, "--timeout", "45000", "--add-tag", "production", "--remove-tag", "example", "--set-version", "2.0.0", "--memory-limit", "128mb");
    expect(ran.code).toBe(0);
    const text = await readFile(join(dir, "metadata.json"), "utf8");
    expect(text).toBe(json({ uuid: "5f0c1c51-6b1e-4d43-9d0e-0d2f3c0f6a11", version: "2.0.0", label: "Doubler", tags: ["math", "production"], timeout: 45000, memory_limit: "128MB" }));
    expect((await ratchet(work, "validate", dir)).code).toBe(0);
  });

  it("writes nothing when the result would not validate, and says why (exit 2)", async () => {
    const dir = join(work, "update-me");
    const before = await readFile(join(dir, "metadata.json"), "utf8");
    const bad = await ratchet(work, "update", "task-metadata", dir, "--set-version", "two", "--timeout", "1000");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\/version/);
    expect(bad.stderr).toMatch(/nothing was written/);
    expect(await readFile(join(dir, "metadata.json"), "utf8")).toBe(before);
    expect((await ratchet(work, "update", "task-metadata", dir, "--memory-limit", "lots")).code).toBe(2);
    expect((await ratchet(work, "update", "task-metadata", dir, "--timeout", "soon")).code).toBe(2);
    expect((await ratchet(work, "update", "task-metadata", join(work, "nowhere"), "--timeout", "5")).code).toBe(2);
    expect(await readFile(join(dir, "metadata.json"), "utf8")).toBe(before);
  });
});

describe("ratchet lint", () => {
  const badCode = `(function(input, context) {
  const axios = require("axios");
  console.log("calling with " + input.apiKey);
  try {
    return fetch(input.url).then((r) => r.json());
  } catch (error) {}
  throw "unreachable";
})`;

  it("prints each finding as main.js:LINE:COL rule: message with a hint, exit 1 on an error-level one", async () => {
    const dir = await writeTask("lint-bad", { ...doubler, "main.js": badCode });
    const ran = await ratchet(work, "lint", dir);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^main\.js:2:17 no-require: .*require\("axios"\)/m);
    expect(ran.stdout).toMatch(/^main\.js:3:\d+ secret-in-log: /m);
    expect(ran.stdout).toMatch(/^main\.js:5:\d+ fetch-then: /m);
    expect(ran.stdout).toMatch(/^main\.js:6:\d+ swallowed-catch: /m);
    expect(ran.stdout).toMatch(/^main\.js:7:3 throw-string: /m);
    expect(ran.stdout).toMatch(/^ {4}hint: /m);

    const asJson = JSON.parse((await ratchet(work, "lint", dir, "--format", "json")).stdout);
    expect(asJson.findings.map((f: { rule: string }) => f.rule)).toEqual(["no-require", "secret-in-log", "fetch-then", "swallowed-catch", "throw-string"]);
    expect(asJson.errors).toBe(3);
  });

  it("exits 0 on the guide's correct code and on warnings only", async () => {
    const good = await writeTask("lint-good", { ...doubler, "main.js": '(function(input, context) {\n  const response = fetch(input.url);\n  if (!response.ok) throw new NetworkError(`API returned ${response.status}`);\n  return { data: response.body };\n})' });
    const ran = await ratchet(work, "lint", good);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("0 errors, 0 warnings");
    const warned = await writeTask("lint-warning", { ...doubler, "main.js": '(function(input) {\n  throw "no";\n})' });
    expect((await ratchet(work, "lint", warned)).code).toBe(0);
  });

  it("a main.js that does not parse is exit 2 with its position; so is a missing folder", async () => {
    const broken = await writeTask("lint-broken", { ...doubler, "main.js": "(function(input) {\n  return input +;\n})" });
    const ran = await ratchet(work, "lint", broken);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/main\.js:2:17: main\.js does not parse/);
    expect((await ratchet(work, "lint", join(work, "nowhere"))).code).toBe(2);
  });
});

describe("ratchet watch", () => {
  it("runs the task, then again when the input file or the code changes, until Ctrl-C", async () => {
    const dir = await writeTask("watched", doubler);
    const input = join(work, "watched-input.json");
    await writeFile(input, json({ n: 5 }));
    const watching = startProcess(process.execPath, [BIN, "watch", dir, "--input-file", input], work);
    try {
      await watching.waitFor(({ stderr }) => stderr.includes("Ctrl-C stops"));
      expect(watching.stdout()).toContain('"doubled": 10');
      await writeFile(input, json({ n: 21 }));
      await watching.waitFor(({ stdout }) => stdout.includes('"doubled": 42'));
      await writeFile(join(dir, "main.js"), doubler["main.js"].replace("input.n * 2", "input.n * 2 + 1"));
      await watching.waitFor(({ stdout }) => stdout.includes('"doubled": 43'));
      await writeFile(input, "{ not json");
      await watching.waitFor(({ stderr }) => stderr.includes("is not valid JSON"));
    } finally {
      expect(await watching.interrupt()).toBe(0);
    }
  });

  it("a missing folder or an input file that is not JSON is exit 2 at the start", async () => {
    const notJson = join(work, "not-json.json");
    await writeFile(notJson, "{ nope");
    const ran = await ratchet(work, "watch", join(work, "watched"), "--input-file", notJson);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("not-json.json is not valid JSON");
    expect((await ratchet(work, "watch", join(work, "nowhere"), "--input-json", "{}")).code).toBe(2);
  });
});

describe("commands and flags Ratchet does not have", () => {
  it("FUTURE commands say they are not part of Ratchet yet, with the nearest real one (exit 2)", async () => {
    const debug = await ratchet(work, "debug", "my-task", "--input-json={}", "--breakpoint", "line:45");
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain("'ratchet debug' is not part of Ratchet yet");
    expect(debug.stderr).toContain("Nearest: ratchet run-once DIR --log-level debug");
    expect(debug.stderr).toContain("ratchet --help");
    for (const command of ["fuzz", "benchmark", "deps", "workspace", "release", "docs", "merge", "extract"]) {
      const ran = await ratchet(work, command, "x");
      expect(ran.code, command).toBe(2);
      expect(ran.stderr, command).toContain(`'ratchet ${command}' is not part of Ratchet yet`);
    }
    const openapi = await ratchet(work, "generate", "task", "from-openapi", "--spec-url", "http://127.0.0.1:1/openapi.json", "--operation", "getUserData");
    expect(openapi.code).toBe(2);
    expect(openapi.stderr).toContain("'ratchet generate task from-openapi' is not part of Ratchet yet");
  });

  it("FUTURE flags of real commands say so too (exit 2)", async () => {
    const dir = join(work, "batch");
    for (const [args, what] of [
      [["validate", dir, "--deep"], "ratchet validate --deep"],
      [["test", dir, "--coverage"], "ratchet test --coverage"],
      [["run-once", dir, "--profile"], "ratchet run-once --profile"],
    ] as const) {
      const ran = await ratchet(work, ...args);
      expect(ran.code, what).toBe(2);
      expect(ran.stderr, what).toContain(`'${what}' is not part of Ratchet yet`);
    }
  });

  it("any other command is not a Ratchet command, with a suggestion only when one is close", async () => {
    const far = await ratchet(work, "frobnicate");
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("'ratchet frobnicate' is not a Ratchet command");
    expect(far.stderr).toContain("ratchet --help");
    expect(far.stderr).not.toContain("Did you mean");
    const close = await ratchet(work, "deplyo");
    expect(close.code).toBe(2);
    expect(close.stderr).toContain("(Did you mean deploy?)");
  });
});
