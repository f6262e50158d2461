import { describe, expect, it } from "vitest";
import { checkSchemaDocument, compileSchema } from "../../src/engine/json-schema.ts";

describe("checkSchemaDocument", () => {
  it("accepts valid draft-07 and 2020-12 schemas", () => {
    expect(checkSchemaDocument({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { a: { type: "string" } } })).toEqual([]);
    expect(checkSchemaDocument({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "array", prefixItems: [{ type: "number" }] })).toEqual([]);
    expect(checkSchemaDocument(true)).toEqual([]);
  });

  it("reports every meta-schema violation with its pointer, nested ones included (2020-12 too)", () => {
    const bad = { type: "object", properties: { a: { type: "strin" }, b: { minLength: -1 } }, required: "a" };
    for (const $schema of ["http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"]) {
      const pointers = checkSchemaDocument({ $schema, ...bad }).map((i) => i.pointer).sort();
      expect(pointers).toEqual(["/properties/a/type", "/properties/b/minLength", "/required"]);
    }
  });

  it("names the supported drafts when $schema is unknown, and refuses non-objects", () => {
    const [issue] = checkSchemaDocument({ $schema: "http://example.com/my-draft" });
    expect(issue?.pointer).toBe("/$schema");
    expect(issue?.message).toContain("draft-07");
    expect(checkSchemaDocument([1])[0]?.message).toMatch(/JSON object/);
  });
});

describe("compileSchema", () => {
  it("lists every issue once, at the most specific path, in plain words", () => {
    const schema = {
      type: "object",
      required: ["a"],
      properties: {
        t: { type: "string", format: "date-time" },
        n: { type: "array", items: { type: "number" } },
        p: { type: "string", pattern: "^x+$" },
        o: { oneOf: [{ type: "string" }, { type: "number" }] },
      },
    };
    const issues = compileSchema(schema).check({ t: "nope", n: [1, "x"], p: "y", o: true });
    expect(issues.map((i) => i.pointer)).toEqual(["", "/t", "/n/1", "/p", "/o"]);
    expect(issues.find((i) => i.pointer === "/p")?.message).toContain("^x+$");
    expect(issues.every((i) => !/Instance/.test(i.message))).toBe(true);
  });

  it("says which property or item a false schema refuses, once, at its own path", () => {
    const strict = { type: "object", properties: { a: { type: "number" } }, additionalProperties: false };
    expect(compileSchema(strict).check({ a: "one", apiKey: "x" })).toEqual([
      { pointer: "/a", message: 'Value type "string" is invalid. Expected "number".', keyword: "type" },
      { pointer: "/apiKey", message: 'Property "apiKey" is not allowed: the schema accepts only the properties it lists (additionalProperties is false).', keyword: "additionalProperties" },
    ]);
    const tuple = { type: "array", prefixItems: [{ type: "number" }], items: false };
    expect(compileSchema(tuple).check([1, 2])).toEqual([
      { pointer: "/1", message: "Item 1 is not allowed: the array has more items than the schema accepts (items is false).", keyword: "items" },
    ]);
    expect(compileSchema({ type: "object", properties: { x: false } }).check({ x: 1 })).toEqual([
      { pointer: "/x", message: 'Property "x" is not allowed: its schema is false.', keyword: "properties" },
    ]);
  });

  it("caches the compiled validator per schema object", () => {
    const schema = { type: "string" };
    expect(compileSchema(schema)).toBe(compileSchema(schema));
    expect(compileSchema(schema).check("ok")).toEqual([]);
  });
});
