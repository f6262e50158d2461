import { describe, expect, it } from "vitest";
import { utf8Exceeds } from "../../src/engine/index.ts";

describe("utf8Exceeds", () => {
  it("counts UTF-8 bytes, not UTF-16 units, on both sides of the limit", () => {
    expect(utf8Exceeds("a".repeat(10), 10)).toBe(false);
    expect(utf8Exceeds("a".repeat(11), 10)).toBe(true);
    // "é" is 2 bytes, "😀" 4 bytes in 2 UTF-16 units, "€" 3 bytes in 1.
    expect(utf8Exceeds("éé", 4)).toBe(false);
    expect(utf8Exceeds("ééé", 4)).toBe(true);
    expect(utf8Exceeds("😀", 4)).toBe(false);
    expect(utf8Exceeds("😀a", 4)).toBe(true);
    expect(utf8Exceeds("€€€", 9)).toBe(false);
    expect(utf8Exceeds("€€€", 8)).toBe(true);
  });
});
