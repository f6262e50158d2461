import { describe, expect, it } from "vitest";
import { canonicalJson, documentFromFiles, hashDocument, locatePointer, parseJsonFile } from "../../src/engine/bundle.ts";

const files = {
  "metadata.json": '{"uuid":"6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01","version":"1.0.0","label":"A"}',
  "main.js": "(function(input){ return input; })",
  "input.schema.json": "{}",
  "output.schema.json": "{}",
  "tests/b.json": '{"input": 2}',
  "tests/a.json": '{"input": 1}',
};

describe("canonicalJson and hashDocument", () => {
  it("sorts keys at every level so equal content gives equal text", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it("hashes content, not key order, and ignores a hash field", async () => {
    const { document } = documentFromFiles(files);
    const reordered = JSON.parse(JSON.stringify({ tests: document!.tests, code: document!.code, ...document }));
    const hash = await hashDocument(document!);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await hashDocument(reordered)).toBe(hash);
    expect(await hashDocument({ ...document!, hash: "sha256:whatever" })).toBe(hash);
    expect(await hashDocument({ ...document!, code: document!.code + " " })).not.toBe(hash);
  });
});

describe("documentFromFiles", () => {
  it("packs a folder into the canonical document with tests in file order", () => {
    const { document, problems } = documentFromFiles(files);
    expect(problems).toEqual([]);
    expect(document!.tests.map((t) => t.file)).toEqual(["tests/a.json", "tests/b.json"]);
    expect(document!.format).toBe("ratchet.bundle/1");
  });

  it("reports missing files and JSON syntax errors with line and column, all at once", () => {
    const { document, problems } = documentFromFiles({ ...files, "main.js": undefined as never, "input.schema.json": '{\n  "type": "object",\n}' });
    expect(document).toBeUndefined();
    expect(problems.map((p) => p.file).sort()).toEqual(["input.schema.json", "main.js"]);
    const json = problems.find((p) => p.file === "input.schema.json")!;
    expect(json.line).toBe(3);
    expect(json.hint).toMatch(/trailing commas/);
  });

  it("locates a syntax error inside a JSON file", () => {
    expect(parseJsonFile("x.json", '{"a": 1,\n "b": }').problem).toMatchObject({ file: "x.json", line: 2 });
  });
});

describe("locatePointer", () => {
  const text = '{\n  "a": {\n    "b/c": [1, {"d": 2}]\n  }\n}';
  it("finds a property's key, an array item, or the deepest part that exists", () => {
    expect(locatePointer(text, "")).toEqual({ line: 1, column: 1 });
    expect(locatePointer(text, "/a")).toEqual({ line: 2, column: 3 });
    expect(locatePointer(text, "/a/b~1c/1/d")).toEqual({ line: 3, column: 17 });
    expect(locatePointer(text, "/a/missing")).toEqual({ line: 2, column: 3 });
    expect(locatePointer("{", "/a")).toBeUndefined();
  });

  it("keeps what parsed when another file does not", () => {
    const { parts, problems } = documentFromFiles({ ...files, "input.schema.json": "{", "tests/a.json": "nope" });
    expect(problems.map((p) => p.file).sort()).toEqual(["input.schema.json", "tests/a.json"]);
    expect(parts.metadata).toMatchObject({ label: "A" });
    expect(parts.input_schema).toBeUndefined();
    expect(parts.tests.map((t) => [t.file, t.case])).toEqual([["tests/a.json", undefined], ["tests/b.json", { input: 2 }]]);
  });
});
