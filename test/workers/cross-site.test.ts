/**
 * A web page must not change anything through a visitor's browser: an open local `ratchet serve`
 * trusts every request, and a form or text/plain POST needs no preflight.
 */
import { describe, expect, it } from "vitest";
import { API, call, deploy, uniqueName } from "./support.ts";

describe("cross-site requests", () => {
  it("refuses a state-changing request from another origin, before it runs anything", async () => {
    const name = uniqueName("cross-site");
    await deploy(name);
    const before = (await call("GET", `/executions?task=${name}`)).body.executions.length;
    const refused = await call("POST", `/run/${name}`, { a: 1, b: 2 }, { Origin: "https://evil.example", "content-type": "text/plain" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("cross_site_request");
    expect(refused.body.error.message).toContain("https://evil.example");
    const bySite = await call("POST", `/tasks/${name}/execute`, { a: 1, b: 2 }, { "Sec-Fetch-Site": "cross-site" });
    expect(bySite.status).toBe(403);
    const sameSite = await call("POST", "/schedules", { task: name, cron: "* * * * *" }, { "Sec-Fetch-Site": "same-site" });
    expect(sameSite.status).toBe(403);
    expect((await call("GET", `/executions?task=${name}`)).body.executions.length).toBe(before);
  });

  it("lets the same origin, a direct navigation and clients that are not browsers through", async () => {
    const name = uniqueName("same-site");
    await deploy(name);
    const origin = new URL(API).origin;
    expect((await call("POST", `/run/${name}`, { a: 1, b: 2 }, { Origin: origin })).body).toEqual({ sum: 3 });
    expect((await call("POST", `/run/${name}`, { a: 2, b: 2 }, { "Sec-Fetch-Site": "same-origin" })).body).toEqual({ sum: 4 });
    expect((await call("POST", `/run/${name}`, { a: 3, b: 2 }, { "Sec-Fetch-Site": "none" })).body).toEqual({ sum: 5 });
    expect((await call("POST", `/run/${name}`, { a: 4, b: 2 }, { "content-type": "text/plain" })).body).toEqual({ sum: 6 });
    expect((await call("GET", `/tasks/${name}`, undefined, { Origin: "https://evil.example" })).status).toBe(200);
  });
});
