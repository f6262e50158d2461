/**
 * Rate limits on the routes that run a task and on /mcp, through the real app with Miniflare's
 * real Rate Limiting binding. wrangler.toml's limiters keep their defaults in the tests (every
 * other test file sends from one address); these tests put the small TEST_RATE_LIMITER
 * (vitest.config.ts, 3 per 60 s) in place of one of them, and use keys no other test uses.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../../src/platform/access/tokens.ts";
import type { Env } from "../../src/platform/env.ts";
import { parseRule, RATE_LIMITS, type RateScope } from "../../src/platform/rate-limit/rules.ts";
import { createApp } from "../../src/worker/app.ts";
import { API, deploy, uniqueName } from "./support.ts";

const app = createApp();
const SMALL = parseRule(env.TEST_RATE_LIMIT, "TEST_RATE_LIMIT", { limit: 0, period: 60 });

/** The Worker's bindings with one scope's limiter swapped for the small one. */
function smallLimit(scope: RateScope): Env {
  const spec = RATE_LIMITS[scope];
  return { ...env, [spec.binding]: env.TEST_RATE_LIMITER, [spec.rule]: env.TEST_RATE_LIMIT };
}

/** A client address no other request of any run uses (the documentation range 2001:db8::/32). */
function freshAddress(): string {
  const groups = [...crypto.getRandomValues(new Uint16Array(4))].map((n) => n.toString(16));
  return `2001:db8:${groups.join(":")}::1`;
}

interface Send {
  ip?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

async function send(bindings: Env, method: string, url: string, options: Send = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.ip) headers["CF-Connecting-IP"] = options.ip;
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const init: RequestInit = { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) };
  const ctx = createExecutionContext();
  const response = await app.request(url.startsWith("http") ? url : `${API}${url}`, init, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * Sends until the first 429. Windows are aligned to the clock, so one may end during the test and
 * restart the count: a limit of n refuses by request 2n+1 at the latest, and never before n+1.
 */
async function untilRefused(sendOne: () => Promise<Response>, limit = SMALL.limit): Promise<{ accepted: number[]; refused: Response }> {
  const accepted: number[] = [];
  for (let i = 0; i <= 2 * limit; i++) {
    const response = await sendOne();
    if (response.status === 429) {
      expect(accepted.length, `refused after ${accepted.length} requests, limit ${limit}`).toBeGreaterThanOrEqual(limit);
      return { accepted, refused: response };
    }
    await response.body?.cancel();
    accepted.push(response.status);
  }
  throw new Error(`${accepted.length} requests over a limit of ${limit} were all let through (statuses ${accepted.join(",")})`);
}

/** The 429 is the error envelope, naming the limit, its size and when to retry, which Retry-After says too. */
async function expectRefusal(response: Response, scope: RateScope, rule = SMALL) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("Retry-After"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= rule.period, `Retry-After ${response.headers.get("Retry-After")}`).toBe(true);
  const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.message).toBe(`Rate limit reached for this ${RATE_LIMITS[scope].what}: ${rule.limit} requests per ${rule.period} s. Retry after ${retryAfter} s.`);
  expect(body.error.details).toEqual({ limit: scope, size: rule.limit, period_seconds: rule.period, retry_after_seconds: retryAfter });
}

describe("rate limits", () => {
  it("are the Rate Limiting bindings of wrangler.toml, at the defaults it sets", () => {
    expect(typeof env.CLIENT_RATE_LIMITER?.limit).toBe("function");
    expect(typeof env.TOKEN_RATE_LIMITER?.limit).toBe("function");
    expect(env.CLIENT_RATE_LIMIT).toBe("600/60");
    expect(env.TOKEN_RATE_LIMIT).toBe("6000/60");
  });

  it("refuse a client address over its limit with 429, before the task runs; other addresses and other routes go on", async () => {
    const name = uniqueName("limited");
    await deploy(name);
    const bindings = smallLimit("client");
    const ip = freshAddress();
    const { accepted, refused } = await untilRefused(() => send(bindings, "POST", `/run/${name}`, { ip, body: { a: 1, b: 2 } }));
    expect(accepted.every((status) => status === 200), accepted.join(",")).toBe(true);
    await expectRefusal(refused, "client");

    // Only the accepted requests ran: the refusal came before any execution was recorded.
    const executions = (await (await send(env, "GET", `/executions?task=${name}&limit=100`)).json()) as { executions: unknown[] };
    expect(executions.executions).toHaveLength(accepted.length);

    expect((await send(bindings, "POST", `/run/${name}`, { ip: freshAddress(), body: { a: 1, b: 2 } })).status).toBe(200);
    for (const [method, path, body] of [
      ["GET", `/tasks/${name}`],
      ["GET", `/executions?task=${name}`],
      ["GET", "/tasks"],
      ["POST", "/validate", {}],
      ["PATCH", `/tasks/${name}`, { enabled: true }],
    ] as const) {
      expect((await send(bindings, method, path, { ip, body })).status, `${method} ${path}`).toBe(200);
    }
  });

  it("cover every route that runs a task: execute, test and a schedule's trigger", async () => {
    const name = uniqueName("limited-routes");
    await deploy(name);
    const schedule = await send(env, "POST", "/schedules", { body: { task: name, cron: "0 0 1 1 *", input: { a: 1, b: 1 } } });
    expect(schedule.status).toBe(201);
    const { id } = (await schedule.json()) as { id: string };
    const bindings = smallLimit("client");
    for (const [path, body] of [
      [`/tasks/${name}/execute`, { a: 1, b: 2 }],
      [`/tasks/${name}/test`, undefined],
      [`/schedules/${id}/trigger`, undefined],
    ] as const) {
      const ip = freshAddress();
      const { accepted, refused } = await untilRefused(() => send(bindings, "POST", path, { ip, body }));
      expect(accepted.every((status) => status === 200), `${path}: ${accepted.join(",")}`).toBe(true);
      await expectRefusal(refused, "client");
    }
  });

  it("count each token on its own, whichever address it comes from", async () => {
    const name = uniqueName("limited-token");
    await deploy(name);
    const bindings = smallLimit("token");
    const first = await createToken(env, { name: uniqueName("first"), scopes: ["execute"] });
    const second = await createToken(env, { name: uniqueName("second"), scopes: ["execute"] });
    const { accepted, refused } = await untilRefused(() => send(bindings, "POST", `/run/${name}`, { ip: freshAddress(), token: first.token, body: { a: 1, b: 2 } }));
    expect(accepted.every((status) => status === 200), accepted.join(",")).toBe(true);
    await expectRefusal(refused, "token");
    expect((await send(bindings, "POST", `/run/${name}`, { ip: freshAddress(), token: second.token, body: { a: 1, b: 2 } })).status).toBe(200);
  });

  it("cover /mcp", async () => {
    const bindings = smallLimit("client");
    const ip = freshAddress();
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "rate-limit-test", version: "1.0.0" } } };
    const mcp = (from: string) => send(bindings, "POST", "http://ratchet.test/mcp", { ip: from, body: initialize, headers: { accept: "application/json, text/event-stream" } });
    const { accepted, refused } = await untilRefused(() => mcp(ip));
    expect(accepted.every((status) => status === 200), accepted.join(",")).toBe(true);
    await expectRefusal(refused, "client");
    expect((await mcp(freshAddress())).status).toBe(200);
  });

  it("cover /graphql, whose mutations run tasks", async () => {
    const bindings = smallLimit("client");
    const ip = freshAddress();
    const graphql = (from: string) => send(bindings, "POST", "http://ratchet.test/graphql", { ip: from, body: { query: "{ __typename }" }, headers: { accept: "application/json" } });
    const { accepted, refused } = await untilRefused(() => graphql(ip));
    expect(accepted.every((status) => status === 200), accepted.join(",")).toBe(true);
    await expectRefusal(refused, "client");
    expect((await graphql(freshAddress())).status).toBe(200);
  });

  it("fall back to a counter in the isolate where the runtime has no binding", async () => {
    const name = uniqueName("limited-fallback");
    await deploy(name);
    const rule = { limit: 2, period: 10 } as const;
    const bindings: Env = { ...env, CLIENT_RATE_LIMITER: undefined, CLIENT_RATE_LIMIT: `${rule.limit}/${rule.period}` };
    const ip = freshAddress();
    const { refused } = await untilRefused(() => send(bindings, "POST", `/run/${name}`, { ip, body: { a: 1, b: 2 } }), rule.limit);
    await expectRefusal(refused, "client", rule);
  });

  it("refuse a malformed size with a message naming the setting", async () => {
    const name = uniqueName("limited-misconfigured");
    await deploy(name);
    const response = await send({ ...env, CLIENT_RATE_LIMIT: "600 a minute" }, "POST", `/run/${name}`, { ip: freshAddress(), body: { a: 1, b: 2 } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: "misconfigured", message: expect.stringContaining('CLIENT_RATE_LIMIT="600 a minute"') } });
  });
});
