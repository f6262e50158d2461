import { describe, expect, it } from "vitest";
import { compileSchema } from "../../src/engine/index.ts";
import { generateInputs } from "../../src/mcp/fuzz/generate.ts";

const SCHEMA = {
  type: "object",
  required: ["kind", "count"],
  additionalProperties: false,
  properties: {
    kind: { enum: ["a", "b", "c"] },
    count: { type: "integer", minimum: 1, maximum: 9 },
    label: { type: "string", minLength: 2, maxLength: 8 },
    tags: { type: "array", items: { type: "string" }, maxItems: 3 },
    ref: { $ref: "#/$defs/point" },
  },
  $defs: { point: { type: "object", required: ["x"], properties: { x: { type: "number" } } } },
};

describe("generateInputs", () => {
  it("is deterministic by seed, and different seeds give different inputs", () => {
    expect(generateInputs(SCHEMA, 30, 5)).toEqual(generateInputs(SCHEMA, 30, 5));
    expect(generateInputs(SCHEMA, 30, 5)).not.toEqual(generateInputs(SCHEMA, 30, 6));
  });

  it("keeps the unmutated inputs within the schema's enums, bounds, lengths and references; breaks every fourth on purpose", () => {
    const check = compileSchema(SCHEMA);
    const cases = generateInputs(SCHEMA, 200, 11);
    const shaped = cases.filter((c) => !c.mutated);
    const broken = cases.filter((c) => c.mutated);
    expect(broken).toHaveLength(50);
    expect(shaped.map((c) => check.check(c.input))).toEqual(shaped.map(() => []));
    for (const { input } of shaped) {
      expect(["a", "b", "c"]).toContain((input as { kind: string }).kind);
      expect(Number.isInteger((input as { count: number }).count)).toBe(true);
    }
    const counts = new Set(shaped.map((c) => (c.input as { count: number }).count));
    expect(counts).toContain(1);
    expect(counts).toContain(9);
    expect(broken.filter((c) => check.check(c.input).length > 0).length).toBeGreaterThan(35);
  });
});
