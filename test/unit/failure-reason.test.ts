import { describe, expect, it } from "vitest";
import { failureReason } from "../../src/engine/sandbox/http-bridge.ts";

describe("failureReason", () => {
  it("keeps the causes a host's fetch wraps, each once", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(failureReason(new TypeError("fetch failed", { cause: refused }))).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:1");
    expect(failureReason(new Error("Network connection lost."))).toBe("Network connection lost.");
    const same = new Error("x", { cause: new Error("x") });
    expect(failureReason(same)).toBe("x");
    expect(failureReason("plain")).toBe("plain");
  });
});
