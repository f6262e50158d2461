import { describe, expect, it } from "vitest";
import { diffExpected, matchesSubset } from "../../src/engine/match.ts";

describe("matchesSubset", () => {
  it("compares only the keys expected gives, at every depth", () => {
    expect(matchesSubset({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2, d: 3 }, e: 4 })).toBe(true);
    expect(matchesSubset({ a: 1 }, { a: 2 })).toBe(false);
    expect(matchesSubset({ a: undefined }, {})).toBe(false);
    expect(matchesSubset({ a: null }, { a: null })).toBe(true);
  });

  it("compares arrays element by element with equal length", () => {
    expect(matchesSubset([{ a: 1 }, { a: 2 }], [{ a: 1, x: 0 }, { a: 2 }])).toBe(true);
    expect(matchesSubset([1, 2], [1, 2, 3])).toBe(false);
    expect(matchesSubset([1, 2], [2, 1])).toBe(false);
    expect(matchesSubset({ a: [] }, { a: {} })).toBe(false);
  });
});

describe("diffExpected", () => {
  it("shows expected against actual, without the keys that were not compared", () => {
    const diff = diffExpected({ total: 3, items: [1] }, { total: 4, items: [1], ignored: "yes" });
    expect(diff).toContain('-  "total": 3');
    expect(diff).toContain('+  "total": 4');
    expect(diff).not.toContain("ignored");
  });
});
