import { describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/cli/local-engine.ts";
import { hashDocument } from "../../src/engine/index.ts";

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
