import { describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { runTests, type TaskBundle } from "../../src/engine/index.ts";

const engine = createLocalEngine();
const networkRefused = () => Promise.reject(new Error("the network must not be used"));

async function bundleWithTests(code: string, tests: Record<string, unknown>[]): Promise<TaskBundle> {
  const loaded = await engine.loadDocument({
    format: "ratchet.bundle/1",
    metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c01", version: "1.0.0", label: "T" },
    code,
    input_schema: { type: "object" },
    output_schema: {},
    tests: tests.map((test, i) => ({ file: `tests/t${i}.json`, case: test })),
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.bundle;
}

const weather = `(function(input) {
  var r = fetch("https://api.example.com/weather?q=" + encodeURIComponent(input.city) + "&appid=k");
  if (!r.ok) throw new NetworkError("weather API answered " + r.status);
  return { city: r.body.name, temp: r.body.main.temp, at: new Date().toISOString() };
})`;
const mock = (status: number, body: unknown) => ({ requests: [{ method: "GET", url: "https://api.example.com/weather", response: { status, body } }] });

describe("runTests", () => {
  it("passes on a deep-subset match and answers fetches from mock_http only", async () => {
    const bundle = await bundleWithTests(weather, [{ name: "ok", input: { city: "London" }, expected_output: { city: "London", temp: 20.5 }, mock_http: mock(200, { name: "London", main: { temp: 20.5 } }) }]);
    const report = await runTests(engine, bundle, { fetch: networkRefused });
    expect(report).toMatchObject({ passed: 1, failed: 0 });
    expect(report.tests[0]!.result.http[0]!.url).toContain("appid=redacted");
  });

  it("fails with a readable diff when the output differs", async () => {
    const bundle = await bundleWithTests(weather, [{ input: { city: "London" }, expected_output: { temp: 99 }, mock_http: mock(200, { name: "London", main: { temp: 20.5 } }) }]);
    const [outcome] = (await runTests(engine, bundle, { fetch: networkRefused })).tests;
    expect(outcome!.passed).toBe(false);
    expect(outcome!.failure).toMatch(/does not match expected_output/);
    expect(outcome!.diff).toContain('-  "temp": 99');
    expect(outcome!.diff).toContain('+  "temp": 20.5');
  });

  it("fails a test whose request no mock matches, naming method and URL, even if the task catches it", async () => {
    const code = `(function() { try { fetch("https://other.example.com/x", { method: "POST" }, {}); } catch (e) {} return 1; })`;
    const bundle = await bundleWithTests(code, [{ input: {}, expected_output: 1, mock_http: { requests: [] } }]);
    const [outcome] = (await runTests(engine, bundle, { fetch: networkRefused })).tests;
    expect(outcome!.passed).toBe(false);
    expect(outcome!.failure).toContain("POST https://other.example.com/x");
  });

  it("matches expected_error by type and message substring", async () => {
    const bundle = await bundleWithTests(weather, [
      { name: "right", input: { city: "X" }, expected_error: { type: "NetworkError", message: "answered 401" }, mock_http: mock(401, {}) },
      { name: "wrong type", input: { city: "X" }, expected_error: { type: "DataError" }, mock_http: mock(401, {}) },
      { name: "no error", input: { city: "London" }, expected_error: { type: "NetworkError" }, mock_http: mock(200, { name: "London", main: { temp: 1 } }) },
      { name: "schema", input: "not an object", expected_error: { type: "InputSchemaError" } },
    ]);
    const report = await runTests(engine, bundle, { fetch: networkRefused });
    expect(report.tests.map((t) => [t.name, t.passed])).toEqual([
      ["right", true],
      ["wrong type", false],
      ["no error", false],
      ["schema", true],
    ]);
    expect(report.tests[1]!.failure).toMatch(/got NetworkError: weather API answered 401/);
    expect(report.tests[2]!.failure).toMatch(/but the task completed/);
  });
});
