import { describe, expect, it } from "vitest";
import { canonicalMemorySize, checkLimitRequest, DEFAULT_LIMITS, DEFAULT_MAXIMA, MIN_MEMORY_BYTES, parseMemorySize, resolveLimits } from "../../src/engine/limits.ts";
import { compileSchema } from "../../src/engine/json-schema.ts";
import { metadataSchema } from "../../src/engine/documents.ts";

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

  it("reads sizes in any case, and writes them canonically", () => {
    expect(parseMemorySize("128mb")).toBe(128 * 1024 * 1024);
    expect(parseMemorySize("256 MB")).toBe(256 * 1024 * 1024);
    expect(parseMemorySize("1gb")).toBe(1024 ** 3);
    expect(parseMemorySize("64 mib")).toBe(64 * 1024 * 1024);
    expect(parseMemorySize("12 M")).toBeUndefined();
    expect(canonicalMemorySize("128mb")).toBe("128MB");
    expect(canonicalMemorySize(" 256 MB ")).toBe("256MB");
    expect(canonicalMemorySize("1gib")).toBe("1GiB");
    expect(canonicalMemorySize("2048")).toBe("2048B");
    expect(canonicalMemorySize("12 M")).toBeUndefined();
  });

  it("accepts in metadata exactly the sizes it can read", () => {
    const check = compileSchema(metadataSchema);
    const base = { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "T" };
    for (const size of ["128mb", "256 MB", "1gb", "512KiB", "2048"]) {
      expect(check.check({ ...base, memory_limit: size })).toEqual([]);
      expect(parseMemorySize(size)).toBeGreaterThan(0);
    }
    for (const size of ["12 M", "lots", "MB"]) {
      expect(check.check({ ...base, memory_limit: size })).not.toEqual([]);
      expect(parseMemorySize(size)).toBeUndefined();
    }
  });

  it("warns, naming the cap, when metadata asks above the host maximum, and refuses a memory limit too small to start", () => {
    expect(checkLimitRequest({ timeout: 30_000, memory_limit: "64MB" })).toEqual([]);
    const above = checkLimitRequest({ timeout: 9_999_000, memory_limit: "256mb" });
    expect(above.map((p) => [p.severity, p.pointer])).toEqual([
      ["warning", "/timeout"],
      ["warning", "/memory_limit"],
    ]);
    expect(above[0]!.message).toContain("300000 ms");
    expect(above[1]!.message).toContain("128 MiB");
    const smaller = checkLimitRequest({ memory_limit: "64MB" }, { ...DEFAULT_MAXIMA, memoryBytes: 32 * 1024 * 1024 });
    expect(smaller[0]!.message).toContain("32 MiB");
    const tiny = checkLimitRequest({ memory_limit: "10KB" });
    expect(tiny).toHaveLength(1);
    expect(tiny[0]).toMatchObject({ severity: "error", pointer: "/memory_limit" });
    expect(tiny[0]!.message).toContain("32 KiB");
    expect(checkLimitRequest({ memory_limit: `${MIN_MEMORY_BYTES}B` })).toEqual([]);
  });
});
