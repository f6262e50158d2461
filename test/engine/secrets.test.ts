import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactSecrets, redactSecretValues, secretProblem, type TaskBundle } from "../../src/engine/index.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";

const engine = createLocalEngine();

async function bundleOf(code: string): Promise<TaskBundle> {
  const loaded = await engine.loadDocument({
    format: "ratchet.bundle/1",
    metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "Secrets" },
    code,
    input_schema: {},
    output_schema: {},
    tests: [],
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.bundle;
}

describe("redactSecretValues", () => {
  const secrets = { API_KEY: "sk-live-123", LONGER: "sk-live-123-and-more", QUOTED: 'a"b\\c', SPACED: "two words" };

  it("replaces every spelling of each value in strings and property names at any depth, and leaves the rest", () => {
    const value = {
      line: "key=sk-live-123;",
      nested: [{ url: "http://x/?q=two%20words", json: '{"p":"a\\"b\\\\c"}' }],
      "sk-live-123": 1,
      long: "sk-live-123-and-more",
      keep: 42,
    };
    expect(redactSecretValues(value, secrets)).toEqual({
      line: "key=[redacted:API_KEY];",
      nested: [{ url: "http://x/?q=[redacted:SPACED]", json: '{"p":"[redacted:QUOTED]"}' }],
      "[redacted:API_KEY]": 1,
      long: "[redacted:LONGER]",
      keep: 42,
    });
  });

  it("returns the value itself when nothing matches or there are no secrets", () => {
    const value = { a: ["b"], c: 1 };
    expect(redactSecretValues(value, secrets)).toBe(value);
    expect(redactSecretValues(value, undefined)).toBe(value);
    expect(redactSecretValues(value, {})).toBe(value);
  });

  it("never searches a marker again, so a secret that is part of a marker does not mangle it", () => {
    expect(redactSecretValues("x-redacted-y", { R: "redacted", X: "x" })).toBe("[redacted:X]-[redacted:R]-y");
  });

  it("joins name-based redaction in redactSecrets", () => {
    expect(redactSecrets({ apiKey: "k", note: "uses sk-live-123" }, {}, secrets)).toEqual({ apiKey: "redacted", note: "uses [redacted:API_KEY]" });
  });

  it("names what is wrong with a secret without quoting its value", () => {
    expect(secretProblem("1BAD", "v")).toMatch(/secret name "1BAD" is not valid/);
    expect(secretProblem("OK", "")).toMatch(/empty/);
    const big = secretProblem("BIG", "s".repeat(4097));
    expect(big).toMatch(/4097 bytes; the limit is 4096/);
    expect(big).not.toContain("sss");
    expect(secretProblem("GOOD_1", "v")).toBeUndefined();
  });
});

describe("context.secrets in a run", () => {
  let url = "";
  const seen: { url?: string; auth?: string }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    seen.push({ url: request.url, auth: request.headers["x-api-key"] as string | undefined });
    response.end(`echo ${request.headers["x-api-key"]}`);
  });
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("gives the task its secrets whole, frozen, and redacts them from logs, HTTP trace, error and output", async () => {
    const bundle = await bundleOf(`(async function(input, context) {
      var frozen = Object.isFrozen(context.secrets);
      try { context.secrets.API_KEY = "changed"; } catch (e) {}
      console.log("using " + context.secrets.API_KEY);
      var reply = await fetch(input.url + "/data?q=" + context.secrets.API_KEY, { headers: { "X-Api-Key": context.secrets.API_KEY } });
      var text = await reply.text();
      if (input.fail) throw new Error("bad key " + context.secrets.API_KEY);
      return { frozen: frozen, text: text, length: context.secrets.API_KEY.length, names: Object.keys(context.secrets) };
    })`);
    const secrets = { API_KEY: "sk-live-9f8e7d" };
    const result = await engine.execute(bundle, { input: { url }, trigger: "test", fetch: (request) => fetch(request), secrets, recordExchanges: true });
    expect(result.status, JSON.stringify(result.error)).toBe("completed");
    // The upstream got the real value: the task had it whole.
    expect(seen.at(-1)).toEqual({ url: "/data?q=sk-live-9f8e7d", auth: "sk-live-9f8e7d" });
    expect(result.output).toEqual({ frozen: true, text: "echo [redacted:API_KEY]", length: 14, names: ["API_KEY"] });
    expect(result.logs[0]?.message).toBe("using [redacted:API_KEY]");
    expect(result.http[0]?.url).toBe(`${url}/data?q=[redacted:API_KEY]`);
    expect(JSON.stringify(result)).not.toContain("sk-live-9f8e7d");

    const failed = await engine.execute(bundle, { input: { url, fail: true }, trigger: "test", fetch: (request) => fetch(request), secrets });
    expect(failed.error?.message).toBe("bad key [redacted:API_KEY]");
    expect(JSON.stringify(failed)).not.toContain("sk-live-9f8e7d");
  });

  it("gives a task without secrets an empty frozen object, and the next run never sees the previous run's secrets", async () => {
    const bundle = await bundleOf("(function(input, context) { return { secrets: context.secrets, frozen: Object.isFrozen(context.secrets) }; })");
    await engine.execute(bundle, { input: {}, trigger: "test", fetch: (request) => fetch(request), secrets: { OTHER: "from-task-a" } });
    const result = await engine.execute(bundle, { input: {}, trigger: "test", fetch: (request) => fetch(request) });
    expect(result.output).toEqual({ secrets: {}, frozen: true });
  });
});
