/**
 * Access through the real Worker (createApp's fetch with its bindings, D1 and R2 in workerd):
 * API tokens issued, listed and revoked; 401 and 403 at each boundary; task-limited tokens; the
 * bootstrap RATCHET_API_TOKEN; a deployment with no token refusing all but /health; /mcp per scope.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { describe, expect, it } from "vitest";
import { toolScope } from "../../src/mcp/tool-scopes.ts";
import { ALL_TOOLS } from "../../src/mcp/tools/index.ts";
import { DEFAULT_TOOLSETS } from "../../src/mcp/toolsets.ts";
import { hasScope, type Scope } from "../../src/platform/access/principal.ts";
import { createApp } from "../../src/worker/app.ts";
import { bundle, replyOf, uniqueName, type Reply } from "./support.ts";

const ORIGIN = "http://ratchet.test";
const BOOTSTRAP = "bootstrap-s3cret";
/** Access control on: the bootstrap token is set (RATCHET_ACCESS is then irrelevant). */
const guarded = { ...env, RATCHET_API_TOKEN: BOOTSTRAP };
/** How a Worker deploys by default: no token, not open. */
const closed = { ...env, RATCHET_ACCESS: undefined };
const app = createApp();

/** API paths are under /api/v1 unless they name a root route (/health, /metrics) or /api/ themselves. */
const urlOf = (path: string) => (path.startsWith("/api/") || path === "/health" || path === "/metrics" ? `${ORIGIN}${path}` : `${ORIGIN}/api/v1${path}`);

/** Calls the Worker's app with these bindings (`target`), as `token` when given, and parses the answer. */
async function request(target: object, method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) };
  const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  return replyOf(await app.request(urlOf(path), init, target as never, createExecutionContext()));
}
const as = (token: string | undefined, target: object = guarded) => (method: string, path: string, body?: unknown) => request(target, method, path, token, body);
const admin = as(BOOTSTRAP);

async function issue(scopes: Scope[], tasks?: string[]): Promise<{ id: string; token: string; name: string }> {
  const name = uniqueName(scopes.join("+"));
  const reply = await admin("POST", "/tokens", { name, scopes, ...(tasks ? { tasks } : {}) });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

async function deployed(): Promise<string> {
  const name = uniqueName("guarded");
  const reply = await admin("PUT", `/tasks/${name}`, bundle());
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return name;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("API tokens", () => {
  it("issues a token once, stores only its SHA-256, lists it without token or hash, and revokes it", async () => {
    const created = await admin("POST", "/tokens", { name: "ci", scopes: ["execute", "read"], tasks: ["a-task"] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: "ci", token: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/), scopes: ["execute", "read"], tasks: ["a-task"], created_at: expect.any(String) });
    const { id, token } = created.body;

    const row = await env.DB.prepare("select * from api_tokens where id = ?").bind(id).first<Record<string, unknown>>();
    expect(row!.token_hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const listed = await admin("GET", "/tokens");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toContain(row!.token_hash as string);
    const entry = listed.body.tokens.find((t: { id: string }) => t.id === id);
    expect(entry).toEqual({ id, name: "ci", scopes: ["execute", "read"], tasks: ["a-task"], created_at: created.body.created_at, last_used_at: null, revoked_at: null });

    // A use is recorded (at most once a minute, so reads do not write on every request).
    expect((await as(token)("GET", "/executions?limit=1")).status).toBe(200);
    const used = (await admin("GET", "/tokens")).body.tokens.find((t: { id: string }) => t.id === id);
    expect(used.last_used_at).toEqual(expect.any(String));

    const revoked = await admin("DELETE", `/tokens/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toMatchObject({ id, revoked_at: expect.any(String) });
    expect(JSON.stringify(revoked.body)).not.toContain(token);
    expect((await admin("DELETE", "/tokens/no-such-id")).status).toBe(404);
  });

  it("checks the token request at run time and says what is wrong", async () => {
    const bad = await admin("POST", "/tokens", { name: "x", scopes: ["root"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect((await admin("POST", "/tokens", { name: "x", scopes: [] })).status).toBe(400);
    expect((await admin("POST", "/tokens", { name: "x", scopes: ["read"], tasks: ["not a name"] })).status).toBe(400);
    expect((await admin("POST", "/tokens", { scopes: ["read"] })).status).toBe(400);
  });

  it("answers 401 for a missing, malformed, unknown or revoked token, each saying what to do", async () => {
    const missing = await as(undefined)("GET", "/tasks");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect(missing.body.error).toMatchObject({ code: "unauthorized", details: { reason: "missing" } });
    expect(missing.body.error.message).toContain("ratchet token create");

    const basic = await app.request(`${ORIGIN}/api/v1/tasks`, { headers: { Authorization: "Basic abc" } }, guarded as never, createExecutionContext());
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as any).error.details.reason).toBe("malformed");

    for (const unknown of ["rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not-even-ours", `${BOOTSTRAP}x`]) {
      const reply = await as(unknown)("GET", "/tasks");
      expect(reply.status, unknown).toBe(401);
      expect(reply.body.error.details.reason).toBe("unknown");
      expect(reply.body.error.message).toMatch(/not valid.*ratchet token create/);
    }

    const { id, token, name } = await issue(["read"]);
    expect((await as(token)("GET", "/tasks")).status).toBe(200);
    await admin("DELETE", `/tokens/${id}`);
    const revoked = await as(token)("GET", "/tasks");
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.details.reason).toBe("revoked");
    expect(revoked.body.error.message).toContain(`The token '${name}' was revoked`);
  });

  it("answers 403 naming the missing scope and what the token has, at each boundary", async () => {
    const task = await deployed();
    const reader = await issue(["read"]);
    const runner = await issue(["execute"]);
    const deployer = await issue(["deploy"]);
    const tokenAdmin = await issue(["admin"]);
    const schedule = (await admin("POST", "/schedules", { task, cron: "0 7 * * *", input: { a: 1, b: 2 } })).body;

    // read: every GET, /metrics and /validate; nothing that runs or changes.
    const read = as(reader.token);
    for (const path of ["/tasks", `/tasks/${task}`, `/tasks/${task}/versions`, "/executions", "/schedules", `/schedules/${schedule.id}`, `/schedules/${schedule.id}/runs`, "/metrics"]) {
      expect((await read("GET", path)).status, path).toBe(200);
    }
    expect((await read("GET", "/metrics")).body).toContain("ratchet_executions_total");
    expect((await read("POST", "/validate", bundle())).body.valid).toBe(true);
    const refusedRun = await read("POST", `/run/${task}`, { a: 1, b: 2 });
    expect(refusedRun.status).toBe(403);
    expect(refusedRun.body.error).toEqual({ code: "forbidden", message: `This needs the 'execute' scope; token '${reader.name}' has: read`, details: { needed: "execute", scopes: ["read"] } });
    for (const [method, path] of [["POST", `/tasks/${task}/execute`], ["POST", `/tasks/${task}/test`], ["POST", `/schedules/${schedule.id}/trigger`]] as const) {
      expect((await read(method, path, { a: 1, b: 2 })).body.error?.message, path).toMatch(/needs the 'execute' scope/);
    }

    // execute: adds running tasks and triggering schedules; not deploying.
    const run = as(runner.token);
    expect((await run("POST", `/run/${task}`, { a: 1, b: 2 })).body).toEqual({ sum: 3 });
    expect((await run("POST", `/tasks/${task}/execute`, { a: 1, b: 2 })).status).toBe(200);
    expect((await run("POST", `/schedules/${schedule.id}/trigger`)).status).toBe(200);
    expect((await run("GET", "/tasks")).status).toBe(200);
    const refusedDeploy = await run("PUT", `/tasks/${task}`, bundle({ version: "2.0.0" }));
    expect(refusedDeploy.status).toBe(403);
    expect(refusedDeploy.body.error.message).toBe(`This needs the 'deploy' scope; token '${runner.name}' has: execute`);
    for (const [method, path, body] of [
      ["PATCH", `/tasks/${task}`, { enabled: false }],
      ["DELETE", `/tasks/${task}`, undefined],
      ["POST", `/tasks/${task}/rollback`, { version: "1.0.0" }],
      ["POST", "/schedules", { task, cron: "0 8 * * *", input: { a: 1, b: 2 } }],
      ["PATCH", `/schedules/${schedule.id}`, { cron: "0 9 * * *" }],
      ["DELETE", `/schedules/${schedule.id}`, undefined],
    ] as const) {
      const reply = await run(method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.body.error.message).toMatch(/needs the 'deploy' scope/);
    }

    // deploy: adds deploying and managing schedules; not tokens.
    const ship = as(deployer.token);
    expect((await ship("PUT", `/tasks/${task}`, bundle({ version: "2.0.0" }))).status).toBe(201);
    expect((await ship("POST", `/tasks/${task}/rollback`, { version: "1.0.0" })).status).toBe(200);
    expect((await ship("PATCH", `/schedules/${schedule.id}`, { cron: "0 9 * * *" })).status).toBe(200);
    const refusedTokens = await ship("GET", "/tokens");
    expect(refusedTokens.status).toBe(403);
    expect(refusedTokens.body.error.message).toBe(`This needs the 'admin' scope; token '${deployer.name}' has: deploy`);
    expect((await ship("POST", "/tokens", { name: "escalate", scopes: ["admin"] })).status).toBe(403);

    // admin: adds tokens.
    expect((await as(tokenAdmin.token)("GET", "/tokens")).status).toBe(200);
    expect((await ship("DELETE", `/schedules/${schedule.id}`)).status).toBe(200);
  });

  it("limits a task-limited token to its tasks: lists hold only them, other tasks' runs are 404, their routes 403", async () => {
    const mine = await deployed();
    const theirs = await deployed();
    const limited = await issue(["deploy"], [mine]);
    const own = as(limited.token);
    const ranMine = (await admin("POST", `/tasks/${mine}/execute`, { a: 1, b: 1 })).body.execution_id;
    const ranTheirs = (await admin("POST", `/tasks/${theirs}/execute`, { a: 2, b: 2 })).body.execution_id;
    const theirSchedule = (await admin("POST", "/schedules", { task: theirs, cron: "0 7 * * *", input: { a: 1, b: 2 } })).body;
    const mySchedule = (await own("POST", "/schedules", { task: mine, cron: "0 7 * * *", input: { a: 1, b: 2 } })).body;
    expect(mySchedule.task).toBe(mine);

    expect((await own("GET", "/tasks?limit=200")).body.tasks.map((t: { name: string }) => t.name)).toEqual([mine]);
    const executions = (await own("GET", "/executions?limit=200")).body.executions;
    expect(executions.map((e: { id: string }) => e.id)).toContain(ranMine);
    expect(new Set(executions.map((e: { task: string }) => e.task))).toEqual(new Set([mine]));
    expect((await own("GET", "/schedules")).body.schedules.map((s: { id: string }) => s.id)).toEqual([mySchedule.id]);
    // Every record and schedule is there for an unlimited token.
    expect((await admin("GET", "/schedules")).body.schedules.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([mySchedule.id, theirSchedule.id]));

    expect((await own("GET", `/executions/${ranMine}`)).status).toBe(200);
    const hidden = await own("GET", `/executions/${ranTheirs}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(`No execution ${ranTheirs}`);
    expect((await admin("GET", `/executions/${ranTheirs}`)).status).toBe(200);
    for (const path of [`/schedules/${theirSchedule.id}`, `/schedules/${theirSchedule.id}/runs`]) expect((await own("GET", path)).status, path).toBe(404);
    expect((await own("POST", `/schedules/${theirSchedule.id}/trigger`)).status).toBe(404);
    expect((await own("DELETE", `/schedules/${theirSchedule.id}`)).status).toBe(404);

    expect((await own("POST", `/run/${mine}`, { a: 1, b: 2 })).body).toEqual({ sum: 3 });
    const refused = await own("POST", `/run/${theirs}`, { a: 1, b: 2 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(`token '${limited.name}' is limited to the tasks ${mine}; '${theirs}' is not one of them`);
    expect((await own("PUT", `/tasks/${theirs}`, bundle({ version: "3.0.0" }))).status).toBe(403);
    expect((await own("GET", `/tasks/${theirs}`)).status).toBe(403);
    expect((await own("POST", "/schedules", { task: theirs, cron: "0 7 * * *", input: { a: 1, b: 2 } })).status).toBe(403);

    const metrics = (await own("GET", "/metrics")).body as string;
    expect(metrics).toContain(`task="${mine}"`);
    expect(metrics).not.toContain(`task="${theirs}"`);

    // An admin limited to some tasks could issue itself an unlimited token: it may not manage tokens.
    const limitedAdmin = await issue(["admin"], [mine]);
    const refusedTokens = await as(limitedAdmin.token)("GET", "/tokens");
    expect(refusedTokens.status).toBe(403);
    expect(refusedTokens.body.error.message).toMatch(/^Task-limited tokens cannot manage API tokens yet/);
  });

  it("keeps RATCHET_API_TOKEN as the bootstrap admin, compared whole", async () => {
    expect((await admin("GET", "/tokens")).status).toBe(200);
    expect((await as(BOOTSTRAP.slice(0, -1))("GET", "/tokens")).status).toBe(401);
    expect((await as(BOOTSTRAP.toUpperCase())("GET", "/tokens")).status).toBe(401);
    const created = await admin("POST", "/tokens", { name: "from-bootstrap", scopes: ["admin"] });
    expect(created.status).toBe(201);
    // A token from D1 works beside it, and the bootstrap token is never listed.
    expect((await as(created.body.token)("GET", "/tokens")).body.tokens.map((t: { name: string }) => t.name)).not.toContain("bootstrap");
  });
});

describe("access modes", () => {
  it("refuses every route but /health when no token is configured and access is not open, saying how to set one", async () => {
    const { token } = await issue(["admin"]);
    const shut = (path: string, bearer?: string) => request(closed, "GET", path, bearer);
    for (const path of ["/tasks", "/executions", "/metrics", "/api/v1/metrics", "/tokens", "/schedules", "/no-such-route"]) {
      const reply = await shut(path);
      expect(reply.status, path).toBe(401);
      expect(reply.body.error.details.reason).toBe("not_configured");
      expect(reply.body.error.message).toContain("wrangler secret put RATCHET_API_TOKEN");
      expect(reply.body.error.message).toContain("RATCHET_ACCESS=open");
    }
    // Even a token D1 holds: with no access control configured, nothing is let in.
    expect((await shut("/tasks", token)).status).toBe(401);
    const mcp = await app.request(`${ORIGIN}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, closed as never, createExecutionContext());
    expect(mcp.status).toBe(401);
    expect((await request(closed, "POST", `/run/anything`, undefined, {})).status).toBe(401);
    expect((await shut("/health")).status).toBe(200);
    expect((await shut("/api/v1/health")).status).toBe(200);
  });

  it("is open without a token when RATCHET_ACCESS=open, and still checks a token given anyway", async () => {
    const open = as(undefined, env);
    expect((await open("GET", "/tokens")).status).toBe(200);
    const reader = await issue(["read"]);
    const scoped = as(reader.token, env);
    expect((await scoped("GET", "/tasks")).status).toBe(200);
    expect((await scoped("POST", "/tokens", { name: "x", scopes: ["read"] })).body.error.message).toMatch(/needs the 'admin' scope/);
    expect((await as("rt_wrong", env)("GET", "/tasks")).status).toBe(401);
  });
});

describe("/mcp per scope", () => {
  const connect = async (token: string) => {
    const client = new Client({ name: "ratchet-tokens-test", version: "1.0.0" });
    const fetch = (url: string | URL, init?: RequestInit) => app.fetch(new Request(url, init), guarded as never, createExecutionContext() as never);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), { fetch, requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return client;
  };

  it("lists only the tools the token's scopes allow", async () => {
    const listed: Record<string, string[]> = {};
    for (const scope of ["read", "execute", "deploy"] as const) {
      const client = await connect((await issue([scope])).token);
      listed[scope] = (await client.listTools()).tools.map((tool) => tool.name).sort();
      await client.close();
      const principal = { kind: "token" as const, name: scope, scopes: [scope], tasks: null };
      const expected = ALL_TOOLS.filter((tool) => DEFAULT_TOOLSETS.includes(tool.toolset) && hasScope(principal, toolScope(tool))).map((tool) => tool.name);
      expect(listed[scope]).toEqual(expected.sort());
    }
    expect(listed.read).toContain("ratchet_list_available_tasks");
    expect(listed.read).not.toContain("ratchet_execute_task");
    expect(listed.read).not.toContain("ratchet_test_task");
    expect(listed.execute).toContain("ratchet_execute_task");
    expect(listed.execute).not.toContain("ratchet_deploy_task");
    expect(listed.deploy).toContain("ratchet_deploy_task");
    expect(listed.deploy).toHaveLength(ALL_TOOLS.filter((tool) => DEFAULT_TOOLSETS.includes(tool.toolset)).length);

    // A tool left out cannot be called either.
    const client = await connect((await issue(["read"])).token);
    await expect(client.callTool({ name: "ratchet_execute_task", arguments: { task_id: "x", input: {} } })).rejects.toThrow(/Tool ratchet_execute_task not found/);
    await client.close();
  });

  it("refuses a task-limited token with 403 saying why", async () => {
    const { token } = await issue(["deploy"], ["some-task"]);
    const response = await app.request(`${ORIGIN}/mcp`, { method: "POST", headers: { "content-type": "application/json", Authorization: `Bearer ${token}` }, body: "{}" }, guarded as never, createExecutionContext());
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).error.message).toMatch(/^Task-limited tokens cannot use \/mcp yet/);
  });
});
