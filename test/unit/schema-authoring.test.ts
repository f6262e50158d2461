import { describe, expect, it } from "vitest";
import { checkSchemaDocument, compileSchema, subsetSchema, unknownKeywords } from "../../src/engine/json-schema.ts";
import { walkSchema } from "../../src/engine/schema-walk.ts";
import { closest, didYouMean } from "../../src/engine/suggest.ts";

describe("did you mean", () => {
  it("names the close word, and nothing when none is close", () => {
    expect(closest("requred", ["required", "properties"])).toBe("required");
    expect(closest("sting", ["string", "number"])).toBe("string");
    expect(closest("minLenght", ["minLength", "maxLength"])).toBe("minLength");
    expect(closest("Type", ["type"])).toBe("type");
    expect(closest("frobnicate", ["required", "properties"])).toBeUndefined();
    expect(didYouMean("requred", ["required"])).toBe('; did you mean "required"?');
    expect(didYouMean("zzz", ["required"])).toBe("");
  });
});

describe("schema authoring checks", () => {
  it('says unknown type "sting"; did you mean "string"? instead of the meta-schema\'s anyOf branches', () => {
    const issues = checkSchemaDocument({ type: "object", properties: { a: { type: "sting" }, b: { type: ["numbr", "null"] } } });
    expect(issues.map((i) => [i.pointer, i.message])).toEqual([
      ["/properties/a/type", 'unknown type "sting"; did you mean "string"?'],
      ["/properties/b/type/0", 'unknown type "numbr"; did you mean "number"?'],
    ]);
    expect(checkSchemaDocument({ type: "widget" })[0]!.message).toMatch(/unknown type "widget"; the types are string, number/);
  });

  it("finds unknown keywords in every subschema, never in property names or values", () => {
    const schema = {
      type: "object",
      requred: ["a"],
      properties: { required: { type: "string", minLenght: 1 }, list: { type: "array", items: { tpye: "string" } } },
      default: { requred: true },
      "x-mine": 1,
    };
    expect(unknownKeywords(schema).map((i) => [i.pointer, i.message])).toEqual([
      ["/requred", 'Unknown keyword "requred" is ignored; did you mean "required"?'],
      ["/properties/required/minLenght", 'Unknown keyword "minLenght" is ignored; did you mean "minLength"?'],
      ["/properties/list/items/tpye", 'Unknown keyword "tpye" is ignored; did you mean "type"?'],
    ]);
    expect(unknownKeywords({ type: "object", properties: { a: { type: "string", description: "x" } } })).toEqual([]);
  });

  it("walks schemas only, with their pointers", () => {
    const seen: string[] = [];
    walkSchema({ properties: { "a/b": { anyOf: [{}, { not: {} }] } }, $defs: { d: {} }, const: { properties: {} } }, (_, pointer) => seen.push(pointer));
    expect(seen).toEqual(["", "/properties/a~1b", "/properties/a~1b/anyOf/0", "/properties/a~1b/anyOf/1", "/properties/a~1b/anyOf/1/not", "/$defs/d"]);
  });

  it("checks a subset of an output: what is given must fit, nothing is required", () => {
    const output = {
      type: "object",
      required: ["location", "temperature"],
      minProperties: 2,
      properties: { temperature: { type: "number" }, nested: { type: "object", required: ["x"], properties: { required: { type: "string" } } } },
    };
    const subset = compileSchema(subsetSchema(output));
    expect(subset.check({ temperature: 20.5 })).toEqual([]);
    expect(subset.check({ nested: {} })).toEqual([]);
    expect(subset.check({ temperature: "warm" }).map((i) => i.pointer)).toEqual(["/temperature"]);
    expect(subset.check({ nested: { required: 1 } }).map((i) => i.pointer)).toEqual(["/nested/required"]);
    // The original is untouched.
    expect(compileSchema(output).check({ temperature: 20.5 })).not.toEqual([]);
  });
});
