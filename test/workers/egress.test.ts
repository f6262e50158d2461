import { describe, expect, inject, it } from "vitest";
import { bundle, call, deploy, uniqueName } from "./support.ts";

/**
 * The egress guard in the Worker. The tests' bindings open only 127.0.0.1 (vitest.config.ts), as
 * `ratchet serve` opens loopback; a deployed Worker opens nothing. Refusals are decisions only:
 * no request leaves loopback.
 */
const fetcher = (metadata: object = {}) => {
  const document = bundle({
    code: "(function(input) { try { var r = fetch(input.url); return { status: r.status }; } catch (e) { return { name: e.name, message: e.message }; } })",
    input: { type: "object" },
    output: { type: "object" },
  });
  return { ...document, metadata: { ...document.metadata, ...metadata } };
};

describe("egress from the Worker", () => {
  it("reaches what RATCHET_EGRESS_ALLOW opens, and refuses other private and loopback addresses, naming the setting", async () => {
    const name = uniqueName("egress");
    await deploy(name, fetcher());
    expect((await call("POST", `/tasks/${name}/execute`, { url: `${inject("upstreamUrl")}/json` })).body).toMatchObject({ status: "completed", output: { status: 200 } });
    const refused = await call("POST", `/tasks/${name}/execute`, { url: "http://0x0a000005/" });
    expect(refused.body.output).toEqual({
      name: "NetworkError",
      message: "GET http://10.0.0.5/ refused: 10.0.0.5 is a private address (RFC 1918 / fc00::/7). Allow it with RATCHET_EGRESS_ALLOW=10.0.0.5 (the deployment's setting; a task's network.allow cannot open it)",
    });
    expect((await call("POST", `/tasks/${name}/execute`, { url: "http://127.0.0.2:9/" })).body.output.message).toMatch(/127\.0\.0\.2 is a loopback address/);
  });

  it("refuses the Worker's own host", async () => {
    const name = uniqueName("egress-own");
    await deploy(name, fetcher());
    const reply = await call("POST", `/tasks/${name}/execute`, { url: "http://ratchet.test/api/v1/tasks" });
    expect(reply.body.output).toMatchObject({ name: "NetworkError", message: expect.stringMatching(/ratchet\.test:80 is this platform's own host/) });
  });

  it("holds a task to its network.allow, and refuses a deploy whose entries are malformed", async () => {
    const name = uniqueName("egress-task");
    await deploy(name, fetcher({ network: { allow: ["api.example.com"] } }));
    const reply = await call("POST", `/tasks/${name}/execute`, { url: `${inject("upstreamUrl")}/json` });
    expect(reply.body.output).toMatchObject({ name: "NetworkError", message: expect.stringContaining("is not in this task's network.allow (api.example.com)") });
    const bad = await call("PUT", `/tasks/${uniqueName("egress-bad")}`, fetcher({ network: { allow: ["not a host"] } }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/network\/allow\/0/);
  });
});
