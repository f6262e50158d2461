import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  canonicalJson,
  checkSchemaDocument,
  compileSchema,
  documentFromFiles,
  filesFromDocument,
  formatProblem,
  hashDocument,
  parseJsonFile,
  type CheckResult,
  type TaskFiles,
} from "../../src/engine/index.ts";
import { locatePointer } from "../../src/engine/bundle.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";

/**
 * Property-based fuzzing of the task format: whatever arrives as a bundle document, a folder's
 * files or a schema, the loader and the validators answer with a problem list (or a valid
 * bundle), never a throw, and never change Object.prototype. Valid variants of a real sample
 * task stay accepted. fast-check prints the seed and the shrunk case of any failure.
 */
const engine = createLocalEngine();
const TASK_DIR = join(import.meta.dirname, "../../tasks/addition");
const RUNS = 150;

async function readTask(dir: string): Promise<TaskFiles> {
  const files: TaskFiles = {};
  for (const name of ["metadata.json", "main.js", "input.schema.json", "output.schema.json"]) files[name] = await readFile(join(dir, name), "utf8");
  for (const name of await readdir(join(dir, "tests"))) files[`tests/${name}`] = await readFile(join(dir, "tests", name), "utf8");
  return files;
}

const sampleFiles = await readTask(TASK_DIR);
const sample = documentFromFiles(sampleFiles).document!;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The result of a loader is a CheckResult: a valid bundle, or problems of the documented shape with at least one error. */
function expectCheckResult(result: CheckResult): void {
  expect(Array.isArray(result.checked)).toBe(true);
  if (result.ok) {
    expect(result.bundle.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    return;
  }
  expect(result.problems.some((p) => p.severity === "error")).toBe(true);
  for (const problem of result.problems) {
    expect(["error", "warning"]).toContain(problem.severity);
    expect(typeof problem.file).toBe("string");
    expect(typeof problem.message).toBe("string");
    expect(problem.message.length).toBeGreaterThan(0);
    expect(typeof formatProblem(problem)).toBe("string");
  }
}

// A document built with a "__proto__" key must never reach Object.prototype.
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
});
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf"];
const weirdUnit = fc.oneof(
  fc.constantFrom("\u0000", "\ud800", "\udfff", "\u202e", "\ufeff", "\u2028", "e\u0301", "🤖", "\uffff", "\\", '"', "\n", "~", "/"),
  fc.string({ unit: "binary", maxLength: 1 }),
);
const weirdString = fc.string({ unit: weirdUnit, maxLength: 40 });
const hugeString = fc.tuple(fc.integer({ min: 50_000, max: 300_000 }), fc.constantFrom("x", "é", "🤖", "\u0000")).map(([n, c]) => c.repeat(n));
const deepText = fc.integer({ min: 400, max: 20_000 }).map((n) => "[".repeat(n) + "]".repeat(n));
const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  weirdString,
  fc.constantFrom(null, true, 0, -1, 1e308, -0, 2 ** 53 + 1, "", [], {}),
  fc.constant(Object.fromEntries(PROTOTYPE_KEYS.map((k) => [k, { polluted: true }]))),
  hugeString,
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a JSON value down to 20 levels (a deep mutation's arrays go far below), as a path of keys, the value itself first. */
function places(value: Json, path: (string | number)[] = []): (string | number)[][] {
  const found = [path];
  if (path.length >= 20) return found;
  if (Array.isArray(value)) value.forEach((item, i) => found.push(...places(item, [...path, i])));
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) found.push(...places(item, [...path, key]));
  return found;
}

/** Sets an own property, "__proto__" included, as JSON.parse would. */
function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// Deep arrays are built when applied, so a failure prints their depth, not the arrays (fast-check's printer would overflow).
type Mutation = { at: number } & ({ kind: "drop" } | { kind: "replace"; value: unknown } | { kind: "add"; key: string; value: unknown } | { kind: "deep"; depth: number });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), kind: fc.constant("drop" as const) }),
  fc.record({ at: fc.nat(), kind: fc.constant("deep" as const), depth: fc.integer({ min: 400, max: 20_000 }) }),
  fc.record({ at: fc.nat(), kind: fc.constant("replace" as const), value: wrongValue }),
  fc.record({ at: fc.nat(), kind: fc.constant("add" as const), key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), weirdString), value: wrongValue }),
);

/** Applies mutations to a copy of `document`, each at a place chosen among those that exist by then. */
function mutate(document: unknown, mutations: Mutation[]): unknown {
  let root = clone(document) as Json;
  // Values are copied in: a generated value may be shared between runs, and later mutations write into it.
  for (const m of mutations.map((one) => ("value" in one ? { ...one, value: clone(one.value) } : one))) {
    const all = places(root);
    const path = all[m.at % all.length]!;
    const parentPath = path.slice(0, -1);
    const parent = parentPath.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<string | number, unknown> | unknown[];
    const key = path.at(-1);
    if (m.kind === "deep") {
      if (key !== undefined) define(parent, key, JSON.parse("[".repeat(m.depth) + "]".repeat(m.depth)));
      continue;
    }
    if (m.kind === "add") {
      const target = path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root);
      if (target !== null && typeof target === "object" && !Array.isArray(target)) define(target, m.key, m.value);
      continue;
    }
    if (key === undefined) {
      if (m.kind === "replace") root = m.value as Json;
      continue;
    }
    if (m.kind === "drop") {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else define(parent, key, m.value);
  }
  return root;
}

describe("the bundle loader and validators under fuzzing", () => {
  it("takes the sample task as valid, as a document and as files", async () => {
    expect((await engine.loadDocument(sample)).ok).toBe(true);
    expect((await engine.loadFiles(sampleFiles)).ok).toBe(true);
  });

  it("answers any JSON value sent as a bundle document with a problem list, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.anything().map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown)), async (document) => {
        const result = await engine.loadDocument(document);
        expectCheckResult(result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("answers a near-valid bundle (keys dropped, wrong types, huge strings, odd unicode, prototype keys) with problems or a valid bundle, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const document = mutate(sample, mutations);
        expectCheckResult(await engine.loadDocument(document));
        // The same document as a JSON request body would arrive ("__proto__" is an own key there too); JSON.stringify itself overflows on deep arrays.
        if (mutations.every((m) => m.kind !== "deep")) expectCheckResult(await engine.loadDocument(JSON.parse(JSON.stringify(document))));
      }),
      { numRuns: RUNS },
    );
  });

  it("answers any task folder's files (broken JSON, odd text, extra tests) with problems or a valid bundle, never a throw", async () => {
    const fileText = fc.oneof(fc.json(), weirdString, fc.string(), deepText, deepText.map((t) => t.slice(0, t.length / 2)), fc.constantFrom("", "{", "[]", "null", '{"a":1,}', "// c\n{}", "\ufeff{}"));
    const edit = fc.record({
      file: fc.oneof(fc.constantFrom(...Object.keys(sampleFiles)), weirdString.map((s) => `tests/${s}.json`)),
      text: fc.option(fc.oneof(fileText, fc.tuple(fc.nat(), weirdString).map(([at, s]) => ({ at, s }))), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        const files: TaskFiles = { ...sampleFiles };
        for (const { file, text } of edits) {
          if (text === undefined) delete files[file];
          else if (typeof text === "string") files[file] = text;
          else {
            // A few characters spliced into the real file: JSON that is almost right.
            const original = files[file] ?? "";
            const at = text.at % (original.length + 1);
            files[file] = original.slice(0, at) + text.s + original.slice(at);
          }
        }
        const result = await engine.loadFiles(files);
        expectCheckResult(result);
        for (const problem of result.ok ? result.warnings : result.problems) {
          if (problem.line !== undefined) expect(problem.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps valid variants of the sample valid, as a document and through its files, with one hash", async () => {
    const variant = fc.record({
      label: weirdString.filter((s) => s.length > 0),
      description: fc.oneof(weirdString, hugeString),
      tags: fc.array(weirdString, { maxLength: 5 }),
      version: fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999), fc.option(fc.stringMatching(/^[0-9A-Za-z.-]{1,8}$/), { nil: undefined })),
      // Through JSON first: the files hold JSON text, where -0 is 0.
      annotation: fc.jsonValue({ maxDepth: 3 }).map(clone),
      testInput: fc.dictionary(weirdString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(clone),
      testName: weirdString,
    });
    await fc.assert(
      fc.asyncProperty(variant, async (v) => {
        const document = clone(sample) as typeof sample;
        Object.assign(document.metadata, { label: v.label, description: v.description, tags: v.tags, version: `${v.version.slice(0, 3).join(".")}${v.version[3] ? `-${v.version[3]}` : ""}` });
        // Annotations of one's own start with x- and are ignored by JSON Schema.
        (document.input_schema as Record<string, unknown>)["x-fuzz"] = v.annotation;
        document.tests.push({ file: "tests/zz-fuzz.json", case: { name: v.testName, input: v.testInput, expected_error: { type: "InputSchemaError" } } });
        const asDocument = await engine.loadDocument(document);
        expect(asDocument.ok, JSON.stringify(asDocument.ok ? {} : asDocument.problems).slice(0, 2000)).toBe(true);
        const asFiles = await engine.loadFiles(filesFromDocument(document));
        expect(asFiles.ok).toBe(true);
        if (asDocument.ok && asFiles.ok) expect(asFiles.bundle.hash).toBe(asDocument.bundle.hash);
        expect(documentFromFiles(filesFromDocument(document)).document).toEqual(document);
      }),
      { numRuns: RUNS },
    );
  });

  it("hashes a document the same whatever the order of its keys", async () => {
    const shuffled = (value: unknown, order: number[]): unknown => {
      if (Array.isArray(value)) return value.map((item) => shuffled(item, order));
      if (value === null || typeof value !== "object") return value;
      const entries = Object.entries(value);
      const rotated = entries.map((_, i) => entries[(i + (order[i % order.length] ?? 0)) % entries.length]!);
      const unique = [...new Map([...rotated, ...entries]).entries()];
      return Object.fromEntries(unique.map(([k, v]) => [k, shuffled(v, order)]));
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), async (order, extra) => {
        const document = { ...clone(sample), input_schema: { ...(sample.input_schema as object), "x-extra": extra } };
        const reordered = shuffled(document, order) as typeof document;
        expect(canonicalJson(reordered)).toBe(canonicalJson(document));
        expect(await hashDocument(reordered)).toBe(await hashDocument(document));
      }),
      { numRuns: RUNS },
    );
  });

  it("reads any text as a JSON file: a value or a problem inside the text, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), weirdString, fc.json().map((s) => s.slice(0, -1)), deepText, deepText.map((t) => t.slice(1))), fc.array(weirdString, { maxLength: 4 }), (text, segments) => {
        const parsed = parseJsonFile("tests/x.json", text);
        expect(("value" in parsed && parsed.problem === undefined) || parsed.problem !== undefined).toBe(true);
        if (parsed.problem?.line !== undefined) expect(parsed.problem.line).toBeLessThanOrEqual(text.split("\n").length);
        const pointer = segments.map((s) => `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
        const where = locatePointer(text, pointer);
        if (where) expect(where.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("checks any value as a schema without throwing, and a schema that passes compiles and checks any JSON", () => {
    const schemaish = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          type: fc.oneof(fc.constantFrom("string", "number", "integer", "object", "array", "boolean", "null", "sting"), fc.array(fc.constantFrom("string", "null"))),
          properties: fc.dictionary(fc.oneof(weirdString, fc.constantFrom(...PROTOTYPE_KEYS)), fc.constantFrom({}, { type: "string" }, true, false, { $ref: "#" }, { $ref: "#/nowhere" })),
          required: fc.array(fc.oneof(weirdString, fc.constantFrom(...PROTOTYPE_KEYS))),
          pattern: fc.constantFrom("^a+$", "(", "\\p{L}", "[", "(a+)+$"),
          minLength: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(1.5)),
          $ref: fc.constantFrom("#", "#/definitions/x", "http://example.com/s.json", "#/properties/__proto__"),
          enum: fc.array(fc.jsonValue({ maxDepth: 1 })),
          $schema: fc.constantFrom("http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema", "nope"),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(schemaish, fc.jsonValue({ maxDepth: 3 }), (schema, value) => {
        const issues = checkSchemaDocument(schema);
        expect(Array.isArray(issues)).toBe(true);
        if (issues.length > 0 || schema === null || (typeof schema !== "object" && typeof schema !== "boolean")) return;
        const compiled = compileSchema(schema as object | boolean);
        expect(Array.isArray(compiled.check(value))).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

/** Cases the fuzzing above found (each threw out of the loader, or out of an execution, before the fix). */
describe("what fuzzing found, kept as plain cases", () => {
  const withInputSchema = (input_schema: unknown, tests: unknown[] = []) => ({ ...clone(sample), input_schema, tests: tests.map((c, i) => ({ file: `tests/f${i}.json`, case: c })) });
  const problemsOf = async (document: unknown) => {
    const result = await engine.loadDocument(document);
    expect(result.ok).toBe(false);
    return result.ok ? [] : result.problems;
  };

  it("a property name with an unpaired surrogate is a problem at that name, not a URIError", async () => {
    const problems = await problemsOf(JSON.parse('{"format":"ratchet.bundle/1","\\ud800":1}'));
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: "/\ud800", message: expect.stringContaining("not well-formed Unicode") })]));
    const warned = await engine.loadDocument(withInputSchema({ type: "object", additionalProperties: { type: "number" } }, [{ input: JSON.parse('{"\\udfff":{}}') }]));
    expect(warned.ok).toBe(true);
    if (warned.ok) expect(warned.warnings.map((w) => w.message).join()).toContain("not well-formed Unicode");
  });

  it("a schema whose $ref loops or points nowhere is refused at load time, not a stack overflow or a thrown error at run time", async () => {
    for (const [schema, words] of [
      [{ $ref: "#" }, "loops back"],
      [{ properties: {}, anyOf: [{ $ref: "#" }] }, "loops back"],
      [{ $ref: "#/definitions/x" }, '"#/definitions/x" points nowhere'],
      [{ $ref: "https://example.com/schema.json" }, "points nowhere"],
    ] as const) {
      const problems = await problemsOf(withInputSchema(schema));
      expect(problems, JSON.stringify(schema)).toEqual(expect.arrayContaining([expect.objectContaining({ severity: "error", file: "input.schema.json", message: expect.stringContaining(words) })]));
    }
    // Recursion that consumes the value is fine.
    expect((await engine.loadDocument(withInputSchema({ type: "object", properties: { child: { $ref: "#" } } }, [{ input: { child: { child: {} } } }]))).ok).toBe(true);
  });

  it("a $ref to nowhere reached only by some values is an issue for those values", () => {
    const compiled = compileSchema({ type: "object", properties: { a: { $ref: "#/nowhere" } } });
    expect(compiled.check({})).toEqual([]);
    expect(compiled.check({ a: 1 })).toEqual([expect.objectContaining({ message: expect.stringContaining('"#/nowhere" points nowhere') })]);
  });

  it("two subschemas with one $id are a problem of the schema file", async () => {
    const problems = await problemsOf(withInputSchema({ properties: { a: { $id: "https://example.com/a" }, b: { $id: "https://example.com/a", type: "string" } } }));
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: "input.schema.json", message: expect.stringContaining("cannot be compiled") })]));
  });

  it("JSON nested 5,000 deep is a problem in a document, a file and an input, not a RangeError", async () => {
    const text = "[".repeat(5000) + "]".repeat(5000);
    expect(await problemsOf(withInputSchema({}, [{ input: JSON.parse(text) }]))).toEqual([expect.objectContaining({ message: expect.stringContaining("nested deeper than 512") })]);
    const files = await engine.loadFiles({ ...sampleFiles, "tests/deep.json": `{"input": ${text}}` });
    expect(files.ok ? [] : files.problems).toEqual([expect.objectContaining({ file: "tests/deep.json", message: expect.stringContaining("nested deeper than 512") })]);
    expect(parseJsonFile("x.json", "[".repeat(100_000)).problem?.message).toContain("Invalid JSON");
    const loaded = await engine.loadDocument({ ...clone(sample), input_schema: { additionalProperties: { type: "number" } }, tests: [] });
    if (!loaded.ok) throw new Error("sample did not load");
    for (const input of [JSON.parse(text), JSON.parse('{"\\ud800":1}')]) {
      const result = await engine.execute(loaded.bundle, { input, trigger: "test", fetch: () => Promise.reject(new Error("no fetch here")) });
      expect(result.error?.type).toBe("InputSchemaError");
    }
  });
});
