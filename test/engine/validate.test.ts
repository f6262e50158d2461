import { describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { hashDocument, MIN_MEMORY_BYTES, type CheckResult, type Problem } from "../../src/engine/index.ts";

const engine = createLocalEngine();
const valid = {
  format: "ratchet.bundle/1",
  metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "T" },
  code: "(function(input) { return input; })",
  input_schema: { type: "object" },
  output_schema: { type: "object" },
  tests: [{ file: "tests/a.json", case: { input: {}, expected_output: {} } }],
};

describe("checkBundle through the engine", () => {
  it("accepts a valid bundle and gives it its content hash", async () => {
    const loaded = await engine.loadDocument(valid);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.bundle.hash).toBe(await hashDocument(valid as never));
  });

  it("reports every problem at once, each with its file and location", async () => {
    const loaded = await engine.loadDocument({
      ...valid,
      metadata: { uuid: "nope", version: "1.0.0", label: "", timout: 5 },
      code: "(function(input) {\n  return input +;\n})",
      input_schema: { type: "strin" },
      tests: [{ file: "tests/a.json", case: { expected_output: 1 } }],
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const where = loaded.problems.map((p) => `${p.severity} ${p.file} ${p.pointer ?? ""}${p.line ?? ""}`);
    expect(where).toEqual(
      expect.arrayContaining([
        "error metadata.json /uuid",
        "error metadata.json /label",
        "warning metadata.json /timout",
        "error input.schema.json /type",
        "error tests/a.json ",
        "error main.js 2",
      ]),
    );
    expect(loaded.problems.every((p) => p.message.length > 0)).toBe(true);
  });

  it("refuses a document whose hash does not match its content", async () => {
    const loaded = await engine.loadDocument({ ...valid, hash: `sha256:${"0".repeat(64)}` });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems[0]).toMatchObject({ pointer: "/hash" });
  });

  it("refuses a document of the wrong shape, naming the part", async () => {
    const loaded = await engine.loadDocument({ ...valid, code: 42, extra: true });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      // One problem per real fault: the unknown property is named at its own path.
      expect(loaded.problems.map((p) => p.pointer).sort()).toEqual(["/code", "/extra"]);
      expect(loaded.problems.find((p) => p.pointer === "/extra")!.message).toMatch(/Property "extra" is not allowed/);
    }
  });

  it("reports main.js that throws while loading", async () => {
    const loaded = await engine.loadDocument({ ...valid, code: "undefinedThing.x;\n(function() {})" });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems[0]!.message).toMatch(/ReferenceError/);
  });
});

const problemsOf = (result: CheckResult): Problem[] => (result.ok ? result.warnings : result.problems);
const lines = (result: CheckResult) => problemsOf(result).map((p) => `${p.severity} ${p.file}${p.line === undefined ? "" : `:${p.line}:${p.column}`} ${p.pointer ?? ""}: ${p.message}`);

const folder: Record<string, string> = {
  "metadata.json": JSON.stringify({ uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "T" }, null, 2),
  "main.js": "(function(input) { return { location: input.location, temperature: 20.5 }; })",
  "input.schema.json": JSON.stringify({ type: "object", required: ["location"], properties: { location: { type: "string" } } }, null, 2),
  "output.schema.json": JSON.stringify({ type: "object", required: ["location", "temperature"], properties: { temperature: { type: "number" } } }, null, 2),
  "tests/test-001.json": JSON.stringify({ input: { location: "London" }, expected_output: { temperature: 20.5 } }, null, 2),
};

describe("checking a task folder", () => {
  it("accepts a folder whose tests fit the schemas, expected_output as a subset", async () => {
    const loaded = await engine.loadFiles(folder);
    expect(lines(loaded)).toEqual([]);
    expect(loaded.ok).toBe(true);
    expect(loaded.checked.map((f) => f.file)).toEqual(["input.schema.json", "metadata.json", "output.schema.json", "tests/test-001.json", "main.js"]);
    expect(loaded.checked.find((f) => f.file === "tests/test-001.json")!.checks.join("; ")).toMatch(/input against input.schema.json.*expected_output against output.schema.json/);
  });

  it("reports every file's problems when two files do not parse", async () => {
    const loaded = await engine.loadFiles({
      ...folder,
      "input.schema.json": '{\n  "type": "object",\n}',
      "tests/test-002.json": "{ input: 1 }",
      "output.schema.json": JSON.stringify({ type: "object", properties: { a: { type: "sting" } } }),
      "metadata.json": JSON.stringify({ uuid: "nope", version: "1.0.0", label: "T" }),
      "main.js": "(function(input) { return input +; })",
    });
    expect(loaded.ok).toBe(false);
    const files = problemsOf(loaded).map((p) => p.file);
    expect(files).toEqual(expect.arrayContaining(["input.schema.json", "tests/test-002.json", "output.schema.json", "metadata.json", "main.js"]));
    expect(lines(loaded)).toContain('error output.schema.json:1:37 /properties/a/type: unknown type "sting"; did you mean "string"?');
  });

  it("warns on a misspelled keyword, with its line and column", async () => {
    const loaded = await engine.loadFiles({ ...folder, "output.schema.json": '{\n  "type": "object",\n  "requred": ["location"]\n}' });
    expect(loaded.ok).toBe(true);
    expect(lines(loaded)).toEqual(['warning output.schema.json:3:3 /requred: Unknown keyword "requred" is ignored; did you mean "required"?']);
  });

  it("warns when a test's input does not match the input schema, or its expected_output cannot match the output schema", async () => {
    const loaded = await engine.loadFiles({
      ...folder,
      "tests/test-001.json": JSON.stringify({ input: { name: "Ada" }, expected_output: { greeting: "Hello" } }),
      "tests/test-002.json": JSON.stringify({ input: { location: "Paris" }, expected_output: { temperature: "warm" } }),
      "tests/test-003.json": JSON.stringify({ input: {}, expected_error: { type: "InputSchemaError" } }),
      "tests/test-004.json": JSON.stringify({ input: { location: "Oslo" }, expected_error: { type: "InputSchemaError" } }),
    });
    expect(loaded.ok).toBe(true);
    expect(lines(loaded)).toEqual([
      'warning tests/test-001.json:1:2 /input: The input does not match input.schema.json: Value does not have required property "location".',
      'warning tests/test-002.json:1:50 /expected_output/temperature: expected_output cannot match output.schema.json: Value type "string" is invalid. Expected "number".',
      "warning tests/test-004.json:1:2 /input: The test expects an InputSchemaError, but its input matches input.schema.json",
    ]);
  });

  it("warns about limits above the engine's maxima, naming the cap, and refuses a memory limit below the minimum", async () => {
    const metadata = (extra: object) => JSON.stringify({ ...JSON.parse(folder["metadata.json"]!), ...extra });
    const above = await engine.loadFiles({ ...folder, "metadata.json": metadata({ memory_limit: "256mb", timeout: 9_999_000 }) });
    expect(above.ok).toBe(true);
    expect(lines(above).join("\n")).toMatch(/memory_limit "256mb" is above this host's maximum of 128 MiB/);
    expect(lines(above).join("\n")).toMatch(/timeout 9999000 ms is above this host's maximum of 300000 ms/);
    const small = createLocalEngine({ maxima: { ...engine.maxima, memoryBytes: 32 * 1024 * 1024 } });
    expect(lines(await small.loadFiles({ ...folder, "metadata.json": metadata({ memory_limit: "64MB" }) })).join()).toMatch(/maximum of 32 MiB/);
    const tiny = await engine.loadFiles({ ...folder, "metadata.json": metadata({ memory_limit: "10KB" }) });
    expect(tiny.ok).toBe(false);
    expect(lines(tiny).join()).toMatch(/memory_limit "10KB" is below the minimum of 32 KiB/);
  });

  it("runs a task at the minimum memory limit on both builds", async () => {
    const loaded = await engine.loadDocument({
      ...valid,
      metadata: { ...valid.metadata, memory_limit: `${MIN_MEMORY_BYTES}B` },
      // Five fetches: the first runs are on the sync build, the rest go on on asyncify.
      code: "(function(input) { var n = 0; for (var i = 0; i < 5; i++) n += fetch('http://127.0.0.1:1/' + i).status; return { n: n, text: JSON.stringify(input) }; })",
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const fetch = async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    const result = await engine.execute(loaded.bundle, { input: { a: [1, 2, 3] }, trigger: "cli", fetch });
    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({ n: 1000, text: '{"a":[1,2,3]}' });
    expect(engine.poolStats().asyncify.created).toBeGreaterThan(0);
  });
});
