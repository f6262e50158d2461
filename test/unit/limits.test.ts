import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, DEFAULT_MAXIMA, parseMemorySize, resolveLimits } from "../../src/engine/limits.ts";

describe("limits", () => {
  it("parses memory sizes in binary units", () => {
    expect(parseMemorySize("128MB")).toBe(128 * 1024 * 1024);
    expect(parseMemorySize("512 KiB")).toBe(512 * 1024);
    expect(parseMemorySize("1.5GB")).toBe(1.5 * 1024 ** 3);
    expect(parseMemorySize("2048")).toBe(2048);
    expect(parseMemorySize("lots")).toBeUndefined();
  });

  it("takes timeout and memory_limit from metadata, clamped to the maxima", () => {
    expect(resolveLimits({})).toEqual(DEFAULT_LIMITS);
    const asked = resolveLimits({ timeout: 5000, memory_limit: "16MB" });
    expect(asked.wallMs).toBe(5000);
    expect(asked.cpuMs).toBe(5000);
    expect(asked.memoryBytes).toBe(16 * 1024 * 1024);
    const greedy = resolveLimits({ timeout: 10 ** 9, memory_limit: "100GB" });
    expect(greedy.wallMs).toBe(DEFAULT_MAXIMA.wallMs);
    expect(greedy.memoryBytes).toBe(DEFAULT_MAXIMA.memoryBytes);
  });

  it("applies caller overrides last, still clamped", () => {
    const limits = resolveLimits({ timeout: 5000 }, { overrides: { wallMs: 100, maxFetches: 10 ** 6 } });
    expect(limits.wallMs).toBe(100);
    expect(limits.maxFetches).toBe(DEFAULT_MAXIMA.maxFetches);
  });
});
