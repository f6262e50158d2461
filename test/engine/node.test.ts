import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { engineSuite } from "./suite.ts";

engineSuite(createLocalEngine, () => inject("upstreamUrl"));

describe("Node's fetch failures", () => {
  it("say why a request failed (Node hides the reason in error.cause)", async () => {
    const closed = await new Promise<number>((done) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => done(port));
      });
    });
    const engine = createLocalEngine();
    const checked = await engine.loadFiles({
      "metadata.json": JSON.stringify({ uuid: "6f1c2b1e-1f0a-4c55-9d1e-2a8f0c9b7a11", version: "1.0.0", label: "Refused" }),
      "main.js": '(function(input) { fetch("http://127.0.0.1:" + input.port + "/"); })',
      "input.schema.json": "{}",
      "output.schema.json": "{}",
    });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const result = await engine.execute(checked.bundle, { input: { port: closed }, trigger: "test", fetch: (request) => fetch(request) });
    expect(result.error?.type).toBe("NetworkError");
    expect(result.error?.message).toMatch(/failed: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
  });
});
