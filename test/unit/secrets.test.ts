import { describe, expect, it } from "vitest";
import { isSecretName, REDACTED, redactSecrets } from "../../src/engine/index.ts";

describe("secrets in records", () => {
  it("knows a secret by how its name ends, whatever the case or separators", () => {
    for (const name of ["apiKey", "api_key", "X-API-Key", "token", "access_token", "client_secret", "password", "Authorization", "X-Amz-Signature", "appid", "set-cookie", "sessionId"]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ["keyword", "author", "passenger", "location", "units", "tokens_used", "signatures_count"]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it("redacts secret-named and writeOnly properties at any depth, and keeps the rest", () => {
    const schema = {
      type: "object",
      properties: {
        pin: { type: "string", writeOnly: true },
        accounts: { type: "array", items: { type: "object", properties: { number: { type: "string", writeOnly: true } } } },
      },
    };
    const input = { location: "London", apiKey: "k-123", pin: "0000", nested: { password: "p", keep: 1, token: null }, accounts: [{ number: "42", label: "main" }] };
    expect(redactSecrets(input, schema)).toEqual({
      location: "London",
      apiKey: REDACTED,
      pin: REDACTED,
      nested: { password: REDACTED, keep: 1, token: null },
      accounts: [{ number: REDACTED, label: "main" }],
    });
    // The value the task got is untouched.
    expect(input.apiKey).toBe("k-123");
  });

  it("returns the value itself when it holds no secret, so the common case copies nothing", () => {
    const input = { num1: 1, num2: 2, list: [{ a: 1 }] };
    expect(redactSecrets(input, { type: "object" })).toBe(input);
    expect(redactSecrets("plain")).toBe("plain");
    expect(redactSecrets("hidden", { writeOnly: true })).toBe(REDACTED);
  });
});
