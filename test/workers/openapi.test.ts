/**
 * The OpenAPI document against the app that serves it: (a) every route served is documented, and
 * every documented operation served; (b) the document is valid OpenAPI 3.1; (c) every documented
 * status is one the route gives, shown by a request in the table below against the real Worker
 * (real D1, R2 and engine; access control, storage faults and a small rate limit where a status
 * needs them), the answer's body matching the documented schema; (d) /docs is served whole from
 * this origin.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { compileSchema } from "../../src/engine/index.ts";
import { createToken } from "../../src/platform/access/tokens.ts";
import type { Env } from "../../src/platform/env.ts";
import { RATE_LIMITS } from "../../src/platform/rate-limit/rules.ts";
import { createDashboard } from "../../src/ui/dashboard.tsx";
import { createApp } from "../../src/worker/app.ts";
import { openApiDocument } from "../../src/worker/openapi/document.ts";
import { bundle, uniqueName } from "./support.ts";

const ORIGIN = "http://ratchet.test";
const API = "/api/v1";
const MiB = 1024 * 1024;
const BOOTSTRAP = "openapi-test-bootstrap";

interface Operation {
  security?: Record<string, string[]>[];
  "x-ratchet-scope"?: string;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, unknown> };
}

const app = createApp();
const document = (await openApiDocument(app)) as Document;
const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

/** Hono's "/tasks/:name" as OpenAPI writes it. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

describe("(a) the document lists exactly the routes served", () => {
  // Not the REST API, so not in its document: MCP (JSON-RPC, lists its own tools), GraphQL (its
  // own schema, GraphiQL's files), the dashboard's pages and files, and /docs itself.
  const dashboard = new Set(createDashboard().routes.map((route) => `${route.method} ${route.path}`));
  const outside = (method: string, path: string) => path === "/mcp" || path === "/graphql" || path.startsWith("/graphql/") || path === "/docs" || path.startsWith("/docs/") || dashboard.has(`${method} ${path}`);
  // ALL routes are middleware (app.use) and resource()'s 405 answers for other methods, plus /mcp and /graphql.
  const served = app.routes.filter((route) => route.method !== "ALL" && !outside(route.method, route.path));
  const servedKeys = new Set(served.map((route) => `${route.method} ${openApiPath(route.path)}`));
  const servedList = [...servedKeys];

  it("finds the API's routes among those served (the enumeration sees them)", () => {
    expect(servedList).toContain("GET /health");
    expect(servedList).toContain("GET /metrics");
    expect(servedList).toContain(`PUT ${API}/tasks/{name}`);
    expect(servedList).toContain(`GET ${API}/openapi.json`);
    expect(served.length).toBeGreaterThan(25);
  });

  it("documents every route served, with its method", () => {
    const missing = servedList.filter((key) => {
      const [method, path] = key.split(" ") as [string, string];
      return !document.paths[path]?.[method.toLowerCase()];
    });
    expect(missing).toEqual([]);
  });

  it("documents no operation that is not served", () => {
    expect(operations.map(({ method, path }) => `${method} ${path}`).filter((key) => !servedKeys.has(key))).toEqual([]);
  });

  it("serves the same document at /api/v1/openapi.json, without a token even when access control is on", async () => {
    const served = await SELF.fetch(`${ORIGIN}${API}/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(document)));
    const guarded = await createApp().request(`${ORIGIN}${API}/openapi.json`, {}, { ...env, RATCHET_API_TOKEN: BOOTSTRAP } as never, createExecutionContext());
    expect(guarded.status).toBe(200);
  });
});

describe("(b) the document is OpenAPI 3.1", () => {
  it("validates with @seriousme/openapi-schema-validator", async () => {
    const reply = await fetch(inject("openApiValidatorUrl"), { method: "POST", body: JSON.stringify(document) });
    const result = (await reply.json()) as { valid: boolean; version: string; errors: unknown };
    expect(result.errors).toBeNull();
    expect(result).toMatchObject({ valid: true, version: "3.1" });
  });

  it("the validator refuses a broken document (it can fail)", async () => {
    const broken = { ...document, paths: { "/x": { get: { responses: { 200: { content: "not an object" } } } } } };
    const reply = await fetch(inject("openApiValidatorUrl"), { method: "POST", body: JSON.stringify(broken) });
    expect(((await reply.json()) as { valid: boolean }).valid).toBe(false);
  });

  it("names the bearer scheme, and on each guarded operation the scope it needs", () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    for (const { method, path, op } of operations) {
      const scope = op["x-ratchet-scope"];
      if (scope === undefined) expect(op.security, `${method} ${path}`).toEqual([]);
      else expect(op.security, `${method} ${path}`).toEqual([{ bearer: [scope] }]);
    }
    expect(operations.filter(({ op }) => op["x-ratchet-scope"] === undefined).map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      [`GET ${API}/health`, `GET ${API}/openapi.json`, "GET /health"].sort(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (c): requests that give each documented status.

interface Send {
  token?: string;
  body?: unknown;
  ip?: string;
}

/** A request to the app with these bindings; the test's own env goes through the Worker's fetch (SELF). */
async function send(bindings: Env, method: string, path: string, options: Send = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.ip) headers["CF-Connecting-IP"] = options.ip;
  const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  if (bindings === env) return SELF.fetch(`${ORIGIN}${path}`, { method, headers, body });
  const ctx = createExecutionContext();
  const response = await app.request(`${ORIGIN}${path}`, { method, headers, body }, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const open = (method: string, path: string, body?: unknown) => send(env, method, path, { body });
const withAccessControl = { ...env, RATCHET_API_TOKEN: BOOTSTRAP } as Env;

/** The Worker's bindings with D1 statements whose SQL matches `match` failing, as an unreachable D1 would. */
function failingD1(match: RegExp): Env {
  const refuse = () => Promise.reject(new Error("D1_ERROR: Network connection lost. (injected by the test)"));
  const broken = { bind: () => broken, first: refuse, all: refuse, run: refuse, raw: refuse };
  const DB = new Proxy(env.DB, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => (match.test(sql) ? broken : target.prepare(sql));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, DB } as Env;
}

/** After a storage fault: a successful probe ends this isolate's "storage down" state, so later executions run. */
async function healed(response: Response): Promise<Response> {
  await send(withAccessControl, "GET", "/health");
  await open("GET", "/health");
  return response;
}

/** The bindings with the per-client limiter swapped for the small test one (3 per 60 s). */
const smallClientLimit = { ...env, [RATE_LIMITS.client.binding]: env.TEST_RATE_LIMITER, [RATE_LIMITS.client.rule]: env.TEST_RATE_LIMIT } as Env;

/** Sends from a fresh client address until refused; a limit of 3 refuses by the 7th (windows may roll over once). */
async function untilRateLimited(method: string, path: string, body?: unknown): Promise<Response> {
  const ip = `2001:db8:${[...crypto.getRandomValues(new Uint16Array(4))].map((n) => n.toString(16)).join(":")}::2`;
  let response!: Response;
  for (let i = 0; i < 7; i++) {
    response = await send(smallClientLimit, method, path, { body, ip });
    if (response.status === 429) return response;
    await response.body?.cancel();
  }
  return response;
}

interface World {
  task: string;
  failing: string;
  disabled: string;
  executionId: string;
  scheduleId: string;
  failingScheduleId: string;
  disabledScheduleId: string;
  orphanScheduleId: string;
  readToken: string;
  limitedReadToken: string;
}

async function deployed(prefix: string, document: object = bundle()): Promise<string> {
  const name = uniqueName(prefix);
  const reply = await open("PUT", `${API}/tasks/${name}`, document);
  expect(reply.status, await reply.clone().text()).toBe(201);
  return name;
}

async function scheduleOf(task: string): Promise<string> {
  const reply = await open("POST", `${API}/schedules`, { task, cron: "0 3 * * *", input: { a: 1, b: 2 } });
  expect(reply.status, await reply.clone().text()).toBe(201);
  return ((await reply.json()) as { id: string }).id;
}

let world: World;

beforeAll(async () => {
  const task = await deployed("oa-task");
  const failing = await deployed("oa-failing", bundle({ code: "(function(input) { throw new Error('always fails'); })" }));
  const disabled = await deployed("oa-disabled");
  const orphan = await deployed("oa-orphan");
  const [scheduleId, failingScheduleId, disabledScheduleId, orphanScheduleId] = await Promise.all([scheduleOf(task), scheduleOf(failing), scheduleOf(disabled), scheduleOf(orphan)]);
  expect((await open("PATCH", `${API}/tasks/${disabled}`, { enabled: false })).status).toBe(200);
  expect((await open("DELETE", `${API}/tasks/${orphan}`)).status).toBe(200);
  const ran = await open("POST", `${API}/tasks/${task}/execute`, { a: 1, b: 2 });
  const executionId = ((await ran.json()) as { execution_id: string }).execution_id;
  const readToken = (await createToken(env, { name: "openapi-read", scopes: ["read"] })).token;
  const limitedReadToken = (await createToken(env, { name: "openapi-limited", scopes: ["read"], tasks: [uniqueName("someone-else")] })).token;
  // The app's first API request registers the bundled tasks; done here, not inside a fault case.
  await send(withAccessControl, "GET", `${API}/tasks`, { token: BOOTSTRAP });
  world = { task, failing, disabled, executionId, scheduleId, failingScheduleId, disabledScheduleId, orphanScheduleId, readToken, limitedReadToken };
});

/** The documented path with the world's resources in it. */
function concrete(path: string, w: World): string {
  return path
    .replace("{name}", w.task)
    .replace("{key}", "API_KEY")
    .replace(/\/executions\/\{id\}/, `/executions/${w.executionId}`)
    .replace(/\/schedules\/\{id\}/, `/schedules/${w.scheduleId}`)
    .replace(/\/tokens\/\{id\}/, "/tokens/no-such-token");
}

type Case = (w: World) => Promise<Response>;
type Op = (typeof operations)[number];

/** Statuses whose request follows from how the route is registered (scope, body, task name, rate limit). */
const derived: Record<number, (op: Op) => Case | undefined> = {
  401: ({ method, path, op }) => (w) => send(withAccessControl, method, concrete(path, w), { body: op.requestBody ? "{}" : undefined }),
  403: ({ method, path, op }) => (w) =>
    send(withAccessControl, method, concrete(path, w), { token: op["x-ratchet-scope"] === "read" ? w.limitedReadToken : w.readToken, body: op.requestBody ? "{}" : undefined }),
  413: ({ method, path, op }) => (op.requestBody ? (w) => open(method, concrete(path, w), "x".repeat(10 * MiB + 1)) : undefined),
  400: ({ method, path, op }) => {
    if (op.requestBody) return (w) => open(method, concrete(path, w), "{ not json");
    if (path.includes("{name}")) return (w) => open(method, concrete(path, w).replace(w.task, "-not-a-name"), undefined);
    return undefined;
  },
  429: ({ method, path, op }) => (w) => untilRateLimited(method, concrete(path, w), op.requestBody ? { a: 1, b: 2 } : undefined),
};

const t = (name: string) => `${API}/tasks/${name}`;
const s = (id: string) => `${API}/schedules/${id}`;
const unknownTask = () => uniqueName("no-such-task");
const sum = { a: 1, b: 2 };

/** Requests for the statuses a route gives by what it does: "METHOD documented-path status". */
const table: Record<string, Case> = {
  "GET /health 200": () => open("GET", "/health"),
  "GET /health 503": async () => healed(await send(failingD1(/.*/), "GET", "/health")),
  [`GET ${API}/health 200`]: () => open("GET", `${API}/health`),
  [`GET ${API}/health 503`]: async () => healed(await send(failingD1(/.*/), "GET", `${API}/health`)),
  "GET /metrics 200": () => open("GET", "/metrics"),
  [`GET ${API}/metrics 200`]: () => open("GET", `${API}/metrics`),
  [`GET ${API}/openapi.json 200`]: () => open("GET", `${API}/openapi.json`),

  [`GET ${API}/tasks 200`]: () => open("GET", `${API}/tasks?limit=2`),
  [`GET ${API}/tasks 400`]: () => open("GET", `${API}/tasks?limit=0`),
  [`GET ${API}/tasks/{name} 200`]: (w) => open("GET", t(w.task)),
  [`GET ${API}/tasks/{name} 404`]: () => open("GET", t(unknownTask())),
  [`PUT ${API}/tasks/{name} 200`]: (w) => open("PUT", t(w.task), bundle()),
  [`PUT ${API}/tasks/{name} 201`]: () => open("PUT", t(uniqueName("oa-new")), bundle()),
  [`PUT ${API}/tasks/{name} 409`]: (w) => open("PUT", t(w.task), bundle({ code: "(function(input) { return { sum: 0 }; })" })),
  [`PUT ${API}/tasks/{name} 503`]: async () => healed(await send(failingD1(/"task_versions"/), "PUT", t(uniqueName("oa-fault")), { body: bundle() })),
  [`PATCH ${API}/tasks/{name} 200`]: (w) => open("PATCH", t(w.task), { enabled: true }),
  [`PATCH ${API}/tasks/{name} 404`]: () => open("PATCH", t(unknownTask()), { enabled: true }),
  [`DELETE ${API}/tasks/{name} 200`]: async () => open("DELETE", t(await deployed("oa-delete"))),
  [`DELETE ${API}/tasks/{name} 404`]: () => open("DELETE", t(unknownTask())),
  [`GET ${API}/tasks/{name}/versions 200`]: (w) => open("GET", `${t(w.task)}/versions`),
  [`GET ${API}/tasks/{name}/versions 404`]: () => open("GET", `${t(unknownTask())}/versions`),
  [`POST ${API}/tasks/{name}/rollback 200`]: (w) => open("POST", `${t(w.task)}/rollback`, { version: "1.0.0" }),
  [`POST ${API}/tasks/{name}/rollback 404`]: (w) => open("POST", `${t(w.task)}/rollback`, { version: "9.9.9" }),
  [`POST ${API}/tasks/{name}/rollback 503`]: async (w) => healed(await send(failingD1(/^update "tasks"/i), "POST", `${t(w.task)}/rollback`, { body: { version: "1.0.0" } })),
  [`POST ${API}/tasks/{name}/test 200`]: (w) => open("POST", `${t(w.task)}/test`),
  [`POST ${API}/tasks/{name}/test 404`]: () => open("POST", `${t(unknownTask())}/test`),

  ...executionCases(`${API}/tasks/{name}/execute`, (name) => `${t(name)}/execute`),
  ...executionCases(`${API}/run/{name}`, (name) => `${API}/run/${name}`),

  [`GET ${API}/executions 200`]: () => open("GET", `${API}/executions?limit=3`),
  [`GET ${API}/executions 400`]: () => open("GET", `${API}/executions?status=sideways`),
  [`GET ${API}/executions/{id} 200`]: (w) => open("GET", `${API}/executions/${w.executionId}`),
  [`GET ${API}/executions/{id} 404`]: () => open("GET", `${API}/executions/no-such-execution`),
  [`POST ${API}/validate 200`]: () => open("POST", `${API}/validate`, bundle()),

  [`GET ${API}/schedules 200`]: (w) => open("GET", `${API}/schedules?task=${w.task}`),
  [`POST ${API}/schedules 201`]: (w) => open("POST", `${API}/schedules`, { task: w.task, cron: "30 4 * * *", input: sum }),
  [`GET ${API}/schedules/{id} 200`]: (w) => open("GET", s(w.scheduleId)),
  [`GET ${API}/schedules/{id} 404`]: () => open("GET", s("no-such-schedule")),
  [`PATCH ${API}/schedules/{id} 200`]: (w) => open("PATCH", s(w.scheduleId), { enabled: true }),
  [`PATCH ${API}/schedules/{id} 404`]: () => open("PATCH", s("no-such-schedule"), { enabled: true }),
  [`PATCH ${API}/schedules/{id} 409`]: (w) => open("PATCH", s(w.orphanScheduleId), { enabled: true }),
  [`DELETE ${API}/schedules/{id} 200`]: async (w) => open("DELETE", s(await scheduleOf(w.task))),
  [`DELETE ${API}/schedules/{id} 404`]: () => open("DELETE", s("no-such-schedule")),
  [`POST ${API}/schedules/{id}/trigger 200`]: (w) => open("POST", `${s(w.scheduleId)}/trigger`),
  [`POST ${API}/schedules/{id}/trigger 404`]: () => open("POST", `${s("no-such-schedule")}/trigger`),
  [`POST ${API}/schedules/{id}/trigger 400`]: async () => {
    // The schedule's input suited the version it was made for; the task's new version wants more.
    const name = await deployed("oa-stricter");
    const id = await scheduleOf(name);
    const stricter = bundle({ version: "2.0.0", input: { type: "object", required: ["a", "b", "c"], properties: { a: { type: "number" }, b: { type: "number" }, c: { type: "number" } } } });
    expect((await open("PUT", t(name), stricter)).status).toBe(201);
    return open("POST", `${s(id)}/trigger`);
  },
  [`POST ${API}/schedules/{id}/trigger 409`]: (w) => open("POST", `${s(w.disabledScheduleId)}/trigger`),
  [`POST ${API}/schedules/{id}/trigger 422`]: (w) => open("POST", `${s(w.failingScheduleId)}/trigger`),
  [`POST ${API}/schedules/{id}/trigger 503`]: async () => {
    const id = await scheduleOf(await deployed("oa-fault"));
    return healed(await send(failingD1(/"task_versions"/), "POST", `${s(id)}/trigger`));
  },
  [`GET ${API}/schedules/{id}/runs 200`]: (w) => open("GET", `${s(w.scheduleId)}/runs`),
  [`GET ${API}/schedules/{id}/runs 400`]: (w) => open("GET", `${s(w.scheduleId)}/runs?limit=0`),
  [`GET ${API}/schedules/{id}/runs 404`]: () => open("GET", `${s("no-such-schedule")}/runs`),

  [`GET ${API}/tasks/{name}/secrets 200`]: (w) => open("GET", `${t(w.task)}/secrets`),
  [`GET ${API}/tasks/{name}/secrets 404`]: () => open("GET", `${t(unknownTask())}/secrets`),
  [`PUT ${API}/tasks/{name}/secrets/{key} 200`]: async (w) => {
    await open("PUT", `${t(w.task)}/secrets/TWICE`, { value: "one" });
    return open("PUT", `${t(w.task)}/secrets/TWICE`, { value: "two" });
  },
  [`PUT ${API}/tasks/{name}/secrets/{key} 201`]: (w) => open("PUT", `${t(w.task)}/secrets/K_${crypto.randomUUID().slice(0, 8).toUpperCase()}`, { value: "v" }),
  [`PUT ${API}/tasks/{name}/secrets/{key} 404`]: () => open("PUT", `${t(unknownTask())}/secrets/API_KEY`, { value: "v" }),
  [`DELETE ${API}/tasks/{name}/secrets/{key} 200`]: async (w) => {
    await open("PUT", `${t(w.task)}/secrets/GONE`, { value: "v" });
    return open("DELETE", `${t(w.task)}/secrets/GONE`);
  },
  [`DELETE ${API}/tasks/{name}/secrets/{key} 404`]: (w) => open("DELETE", `${t(w.task)}/secrets/NEVER_SET`),

  [`GET ${API}/tokens 200`]: () => open("GET", `${API}/tokens`),
  [`POST ${API}/tokens 201`]: () => open("POST", `${API}/tokens`, { name: "openapi-created", scopes: ["read"] }),
  [`DELETE ${API}/tokens/{id} 200`]: async () => {
    const { id } = await createToken(env, { name: "openapi-revoked", scopes: ["read"] });
    return open("DELETE", `${API}/tokens/${id}`);
  },
  [`DELETE ${API}/tokens/{id} 404`]: () => open("DELETE", `${API}/tokens/no-such-token`),
};

/** POST /tasks/{name}/execute and POST /run/{name} give the same statuses for the same reasons. */
function executionCases(documented: string, url: (name: string) => string): Record<string, Case> {
  return {
    [`POST ${documented} 200`]: (w) => open("POST", url(w.task), sum),
    [`POST ${documented} 404`]: () => open("POST", url(unknownTask()), sum),
    [`POST ${documented} 409`]: (w) => open("POST", url(w.disabled), sum),
    [`POST ${documented} 422`]: (w) => open("POST", url(w.failing), sum),
    [`POST ${documented} 503`]: async () => healed(await send(failingD1(/"task_versions"/), "POST", url(await deployed("oa-fault")), { body: sum })),
  };
}

/** The documented schema with its component references replaced by the components. */
function resolved(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(resolved);
  if (typeof schema !== "object" || schema === null) return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref !== undefined) return resolved(document.components.schemas[ref.replace("#/components/schemas/", "")]);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolved(value)]));
}

describe("(c) every documented status is one the route gives", () => {
  const documented = operations.flatMap(({ method, path, op }) => Object.keys(op.responses).map((status) => ({ key: `${method} ${path} ${status}`, method, path, op, status: Number(status) })));

  it("documents some statuses of every kind the routes give", () => {
    expect(new Set(documented.map((d) => d.status))).toEqual(new Set([200, 201, 400, 401, 403, 404, 409, 413, 422, 429, 503]));
  });

  it("has no request in the table for a status the document does not list", () => {
    const keys = new Set(documented.map((d) => d.key));
    expect(Object.keys(table).filter((key) => !keys.has(key))).toEqual([]);
  });

  for (const { key, method, path, op, status } of documented) {
    it(key, async () => {
      const request = table[key] ?? derived[status]?.({ method, path, op });
      expect(request, `no request in the table gives ${key}`).toBeDefined();
      const response = await request!(world);
      const text = await response.text();
      expect(response.status, `${key}: ${text.slice(0, 400)}`).toBe(status);
      const media = op.responses[String(status)]?.content ?? {};
      const [type] = Object.keys(media);
      if (type === undefined) return;
      expect(response.headers.get("content-type")).toContain(type);
      if (type !== "application/json") return;
      const issues = compileSchema(resolved(media[type]!.schema) as object).check(JSON.parse(text));
      expect(issues, `${key}: the body does not match the documented schema`).toEqual([]);
    });
  }
});

describe("(d) /docs is served whole from this origin", () => {
  it("serves Swagger UI's page with a same-origin CSP and no external reference", async () => {
    const page = await SELF.fetch(`${ORIGIN}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html, "no inline script").not.toContain("<script>");
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.filter((ref) => !ref.startsWith("data:")).sort()).toEqual(["/docs/init.js", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"]);
    for (const ref of references.filter((r) => r.startsWith("/"))) {
      const asset = await SELF.fetch(`${ORIGIN}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get("content-type"), ref).toMatch(ref.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
      expect(asset.headers.get("content-security-policy")).toBe(csp);
      expect((await asset.text()).length, ref).toBeGreaterThan(100);
    }
  });

  it("serves Swagger UI's own bundle, started on this origin's document with the validator off and no stored token", async () => {
    const served = await (await SELF.fetch(`${ORIGIN}/docs/swagger-ui-bundle.js`)).text();
    expect(served.slice(0, 2000)).toBe(swaggerBundle.slice(0, 2000));
    expect(served).not.toContain("sourceMappingURL");
    const init = await (await SELF.fetch(`${ORIGIN}/docs/init.js`)).text();
    expect(init).toContain(`"url":"${API}/openapi.json"`);
    expect(init).toContain('"validatorUrl":null');
    expect(init).toContain('"persistAuthorization":false');
    expect(init).not.toMatch(/https?:\/\//);
    expect((await SELF.fetch(`${ORIGIN}/docs/nothing.js`)).status).toBe(404);
  });

  it("is open when access control is on, as the document is", async () => {
    const page = await createApp().request(`${ORIGIN}/docs`, {}, withAccessControl as never, createExecutionContext());
    expect(page.status).toBe(200);
  });
});
