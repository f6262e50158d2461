import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllowList, runTests, type Engine, type TaskBundle } from "../../src/engine/index.ts";
import { createLocalEngine } from "../../src/ops/local-engine.ts";

/**
 * The egress guard in the engine's fetch bridge. Only loopback is used: the upstream is the one
 * server opened; a second loopback server stands for everything refused and must see no request.
 */
describe("egress guard in the engine", () => {
  let forbidden: Server;
  let forbiddenUrl: string;
  let hits = 0;
  const upstream = () => inject("upstreamUrl");
  const upstreamHost = () => new URL(upstream()).host;

  beforeAll(async () => {
    forbidden = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"reached":true}');
    });
    await new Promise<void>((done) => forbidden.listen(0, "127.0.0.1", done));
    forbiddenUrl = `http://127.0.0.1:${(forbidden.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => forbidden.close(() => done())));

  /** An engine whose deployment opens only the upstream (so the forbidden server, on loopback too, is refused). */
  const engineOpening = (allow: string, ownHosts: string[] = []): Engine => createLocalEngine({ egress: { allow: parseAllowList(allow, "RATCHET_EGRESS_ALLOW"), ownHosts: () => ownHosts } });

  async function bundle(engine: Engine, metadata: Record<string, unknown> = {}): Promise<TaskBundle> {
    const checked = await engine.loadFiles({
      "metadata.json": JSON.stringify({ uuid: "0b6f4a4e-9a39-4a55-8f3e-6b1f2c3d4e5f", version: "1.0.0", label: "Egress", ...metadata }),
      // Fetches input.url with input.headers; a refusal is caught and returned, as a task would handle it.
      "main.js":
        "(function(input) { try { var r = fetch(input.url, { headers: input.headers || {} }); return { status: r.status, url: r.url, body: r.text() }; }" +
        " catch (e) { return { name: e.name, message: e.message }; } })",
      "input.schema.json": "{}",
      "output.schema.json": "{}",
    });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return checked.bundle;
  }

  const run = async (engine: Engine, input: object, metadata?: Record<string, unknown>) =>
    engine.execute(await bundle(engine, metadata), { input, trigger: "test", fetch: (request) => fetch(request) });

  it("refuses a loopback address the deployment does not open, before any connection, as a NetworkError the task catches", async () => {
    const before = hits;
    const engine = engineOpening(upstreamHost());
    const result = await run(engine, { url: `${forbiddenUrl}/secret` });
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({
      name: "NetworkError",
      message: `GET ${forbiddenUrl}/secret refused: 127.0.0.1 is a loopback address. Allow it with RATCHET_EGRESS_ALLOW=127.0.0.1 (the deployment's setting; a task's network.allow cannot open it)`,
    });
    expect(result.http).toEqual([expect.objectContaining({ url: `${forbiddenUrl}/secret`, error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/) })]);
    const allowed = await run(engine, { url: `${upstream()}/json` });
    expect(allowed.output).toMatchObject({ status: 200 });
    expect(hits).toBe(before);
  });

  it("follows a redirect within what is open, and refuses one to a refused address at the hop", async () => {
    const before = hits;
    const engine = engineOpening(upstreamHost());
    const followed = await run(engine, { url: `${upstream()}/redirect?to=/json` });
    expect(followed.output).toMatchObject({ status: 200, url: `${upstream()}/json` });
    expect(followed.http[0]).toMatchObject({ url: `${upstream()}/redirect?to=/json`, status: 200, redirects: [`${upstream()}/json`] });

    const target = `${forbiddenUrl}/metadata`;
    const refused = await run(engine, { url: `${upstream()}/redirect?to=${encodeURIComponent(target)}` });
    expect(refused.output).toMatchObject({ name: "NetworkError", message: expect.stringMatching(/refused: 127\.0\.0\.1 is a loopback address/) });
    expect(refused.http[0]).toMatchObject({ redirects: [target], error: expect.stringMatching(/^refused/) });
    expect(hits).toBe(before);
  });

  it("stops after five redirects", async () => {
    let url = `${upstream()}/json`;
    for (let i = 0; i < 6; i++) url = `${upstream()}/redirect?to=${encodeURIComponent(url)}`;
    const result = await run(engineOpening(upstreamHost()), { url });
    expect(result.output).toMatchObject({ name: "NetworkError", message: expect.stringMatching(/failed: more than 5 redirects$/) });
    expect(result.http[0]!.redirects).toHaveLength(5);
  });

  it("refuses a header with a line break", async () => {
    const result = await run(engineOpening(upstreamHost()), { url: `${upstream()}/echo`, headers: { "x-note": "a\r\nx-injected: 1" } });
    expect(result.output).toMatchObject({ name: "NetworkError", message: expect.stringContaining(`refused: header "x-note" contains a line break`) });
    expect(result.http.every((entry) => entry.status === undefined)).toBe(true);
  });

  it("holds a task to its network.allow, in intersection with the deployment", async () => {
    const before = hits;
    const engine = engineOpening(`${upstreamHost()},${new URL(forbiddenUrl).host}`);
    const metadata = { network: { allow: [upstreamHost()] } };
    expect((await run(engine, { url: `${upstream()}/json` }, metadata)).output).toMatchObject({ status: 200 });
    const refused = await run(engine, { url: `${forbiddenUrl}/` }, metadata);
    expect(refused.output).toMatchObject({ name: "NetworkError", message: expect.stringContaining(`is not in this task's network.allow (${upstreamHost()})`) });
    expect(hits).toBe(before);
    // The deployment's refusals stand whatever the task names.
    const closed = engineOpening("example.com");
    expect((await run(closed, { url: `${upstream()}/json` }, metadata)).output).toMatchObject({ message: expect.stringMatching(/loopback address.*cannot open it/) });
  });

  it("refuses the platform's own host even with loopback open", async () => {
    const before = hits;
    const engine = engineOpening("127.0.0.0/8", [new URL(forbiddenUrl).host]);
    const result = await run(engine, { url: `${forbiddenUrl.replace("127.0.0.1", "localhost")}/api/v1/tasks` });
    expect(result.output).toMatchObject({ name: "NetworkError", message: expect.stringMatching(/is this platform's own host/) });
    expect((await run(engine, { url: `${upstream()}/json` })).output).toMatchObject({ status: 200 });
    expect(hits).toBe(before);
  });

  it("leaves mock_http tests alone: mocked requests are not network", async () => {
    const engine = engineOpening("");
    const task = await bundle(engine, { network: { allow: ["api.example.com"] } });
    const report = await runTests(engine, { ...task, tests: [{ file: "tests/a.json", case: { input: { url: "http://10.0.0.5/x" }, expected_output: { status: 200, body: "ok" }, mock_http: { requests: [{ url: "http://10.0.0.5/x", response: { status: 200, body: "ok" } }] } } }] }, { fetch: () => Promise.reject(new Error("not reached")) });
    expect(report.tests[0]).toMatchObject({ passed: true });
  });
});
