import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../../src/platform/access/tokens.ts";
import type { Scope } from "../../src/platform/access/principal.ts";
import { createApp } from "../../src/worker/app.ts";
import { bundle, uniqueName } from "./support.ts";

const ENDPOINT = "http://ratchet.test/graphql";

interface Answer {
  status: number;
  data?: any;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; limit?: string; details?: any } }[];
}

/** POSTs a GraphQL request to the real Worker (its middleware, D1, R2 and engine). */
async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await SELF.fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, ...((await response.json()) as object) };
}

/** The data of an answer that must have no errors. */
async function ok(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const answer = await gql(query, variables, token);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data;
}

/** The one error of an answer that must fail, with its code. */
async function refused(code: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const answer = await gql(query, variables, token);
  expect(answer.errors, JSON.stringify(answer)).toHaveLength(1);
  const [error] = answer.errors!;
  expect(error!.extensions?.code, error!.message).toBe(code);
  return error!;
}

const DEPLOY = `mutation ($name: String!, $bundle: JSON!) { deployTask(name: $name, bundle: $bundle) { outcome warnings task { name current_version { version } } } }`;
const EXECUTE = `mutation ($name: String!, $input: JSON!) { executeTask(name: $name, input: $input) { execution_id status output error logs duration_ms execution { id task trigger input output } } }`;
const CREATE_SCHEDULE = `mutation ($input: JSON!) { createSchedule(input: $input) { id task cron timezone enabled next_runs retry { max_attempts } } }`;

async function deployed(name: string, options: Parameters<typeof bundle>[0] = {}) {
  const data = await ok(DEPLOY, { name, bundle: bundle(options) });
  return data.deployTask;
}

async function tokenWith(scopes: Scope[], tasks?: string[]): Promise<string> {
  return (await createToken(env, { name: uniqueName("gql-token"), scopes, ...(tasks ? { tasks } : {}) })).token;
}

describe("GraphQL queries", () => {
  it("lists tasks filtered by text and tag, page by page with cursors", async () => {
    const prefix = uniqueName("gqlpage");
    const tag = uniqueName("tag");
    for (const suffix of ["a", "b", "c"]) await deployed(`${prefix}-${suffix}`, { tags: suffix === "b" ? ["other"] : [tag] });
    const query = `query ($q: String, $tag: String, $after: String) { tasks(first: 2, q: $q, tag: $tag, after: $after) { nodes { name enabled current_version { version tags } } pageInfo { endCursor hasNextPage } } }`;
    const first = (await ok(query, { q: prefix })).tasks;
    expect(first.nodes.map((t: { name: string }) => t.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await ok(query, { q: prefix, after: first.pageInfo.endCursor })).tasks;
    expect(second.nodes.map((t: { name: string }) => t.name)).toEqual([`${prefix}-c`]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const tagged = (await ok(query, { tag })).tasks;
    expect(tagged.nodes.map((t: { name: string }) => t.name)).toEqual([`${prefix}-a`, `${prefix}-c`]);
    await refused("invalid_query", query, { q: prefix, after: "not-a-cursor" });
  });

  it("reads one task with its versions, schedules and executions, and null for none", async () => {
    const name = uniqueName("gqltask");
    await deployed(name, { version: "1.0.0" });
    await deployed(name, { version: "1.1.0", code: "(function(input) { return { sum: input.a + input.b + 1 }; })" });
    const schedule = (await ok(CREATE_SCHEDULE, { input: { task: name, cron: "0 6 * * *", input: { a: 1, b: 2 } } })).createSchedule;
    await ok(EXECUTE, { name, input: { a: 1, b: 1 } });
    const data = await ok(
      `query ($name: String!) { task(name: $name) { name current_version { version } input_schema metadata versions { version } schedules { id cron next_runs } executions(first: 5) { nodes { task version output } } } }`,
      { name },
    );
    expect(data.task).toMatchObject({ name, current_version: { version: "1.1.0" }, input_schema: { required: ["a", "b"] }, metadata: { version: "1.1.0" } });
    expect(data.task.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(data.task.schedules).toEqual([{ id: schedule.id, cron: "0 6 * * *", next_runs: schedule.next_runs }]);
    expect(data.task.schedules[0].next_runs).toHaveLength(5);
    expect(data.task.executions.nodes).toEqual([{ task: name, version: "1.1.0", output: { sum: 3 } }]);
    expect((await ok(`{ task(name: "${uniqueName("nothing")}") { name } }`)).task).toBeNull();
  });

  it("lists executions filtered by task, status, trigger and time, newest first, page by page, and reads one", async () => {
    const name = uniqueName("gqlexec");
    await deployed(name);
    const ids: string[] = [];
    for (const a of [1, 2, 3]) ids.push((await ok(EXECUTE, { name, input: { a, b: 10 } })).executeTask.execution_id);
    const newest = (await ok(EXECUTE, { name, input: { a: 4, b: 10 } })).executeTask;
    expect(newest.status).toBe("completed");
    const since = new Date(Date.now() - 60_000).toISOString();
    const query = `query ($task: String, $after: String, $since: String) { executions(first: 2, task: $task, status: completed, trigger: http, since: $since, after: $after) { nodes { id task status trigger output } pageInfo { endCursor hasNextPage } } }`;
    const first = (await ok(query, { task: name, since })).executions;
    expect(first.nodes.map((e: { id: string }) => e.id)).toEqual([newest.execution_id, ids[2]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await ok(query, { task: name, since, after: first.pageInfo.endCursor })).executions;
    expect(second.nodes.map((e: { id: string }) => e.id)).toEqual([ids[1], ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect((await ok(query, { task: name, since: new Date(Date.now() + 60_000).toISOString() })).executions.nodes).toEqual([]);
    await refused("invalid_query", query, { task: name, since: "yesterday" });

    const one = (await ok(`query ($id: ID!) { execution(id: $id) { id task version trigger status input output logs http timings schedule { id } } }`, { id: ids[0] })).execution;
    expect(one).toMatchObject({ id: ids[0], task: name, version: "1.0.0", trigger: "http", status: "completed", input: { a: 1, b: 10 }, output: { sum: 11 }, http: [], schedule: null });
    expect(one.logs).toEqual([expect.objectContaining({ level: "log", message: "adding" })]);
    expect((await ok(`{ execution(id: "00000000-0000-7000-8000-000000000000") { id } }`)).execution).toBeNull();
  });

  it("lists schedules, by task too, and reads one with its runs", async () => {
    const name = uniqueName("gqlsched");
    await deployed(name);
    const created = (await ok(CREATE_SCHEDULE, { input: { task: name, cron: "*/5 * * * *", timezone: "Europe/Paris", input: { a: 1, b: 2 } } })).createSchedule;
    const all = (await ok(`{ schedules { id task } }`)).schedules;
    expect(all).toContainEqual({ id: created.id, task: name });
    const mine = (await ok(`query ($task: String) { schedules(task: $task) { id cron timezone input } }`, { task: name })).schedules;
    expect(mine).toEqual([{ id: created.id, cron: "*/5 * * * *", timezone: "Europe/Paris", input: { a: 1, b: 2 } }]);
    const one = (await ok(`query ($id: ID!) { schedule(id: $id) { id task enabled next_run_at counts { runs failures } runs { slot } } }`, { id: created.id })).schedule;
    expect(one).toMatchObject({ id: created.id, task: name, enabled: true, counts: { runs: 0, failures: 0 }, runs: [] });
    expect(Date.parse(one.next_run_at)).toBeGreaterThan(Date.now() - 1000);
    expect((await ok(`{ schedule(id: "no-such-schedule") { id } }`)).schedule).toBeNull();
  });
});

describe("GraphQL mutations", () => {
  it("deploys a bundle: created, unchanged, a version conflict and an invalid bundle keep the REST codes", async () => {
    const name = uniqueName("gqldeploy");
    expect(await deployed(name)).toMatchObject({ outcome: "created", warnings: [], task: { name, current_version: { version: "1.0.0" } } });
    expect((await deployed(name)).outcome).toBe("unchanged");
    const conflict = await refused("version_conflict", DEPLOY, { name, bundle: bundle({ code: "(function(input) { return { sum: 0 }; })" }) });
    expect(conflict.message).toContain("1.0.0");
    const invalid = await refused("invalid_bundle", DEPLOY, { name, bundle: { ...bundle(), code: "" } });
    expect(invalid.extensions!.details.problems.length).toBeGreaterThan(0);
    await refused("invalid_name", DEPLOY, { name: "Not A Name", bundle: bundle() });
  });

  it("executes a task: output and logs, a failure as an answer, bad input as invalid_input", async () => {
    const name = uniqueName("gqlrun");
    await deployed(name, { code: "(function(input) { console.log('adding'); if (input.a < 0) throw new DataError('negative'); return { sum: input.a + input.b }; })" });
    const ran = (await ok(EXECUTE, { name, input: { a: 2, b: 40 } })).executeTask;
    expect(ran).toMatchObject({ status: "completed", output: { sum: 42 }, error: null, execution: { id: ran.execution_id, task: name, trigger: "http", input: { a: 2, b: 40 }, output: { sum: 42 } } });
    expect(ran.logs).toEqual([expect.objectContaining({ message: "adding" })]);
    // Input written in the document itself (a JSON literal), not only through variables.
    const literal = (await ok(`mutation { executeTask(name: "${name}", input: { a: 1, b: 2.5, note: "x", list: [true, null] }) { output } }`)).executeTask;
    expect(literal.output).toEqual({ sum: 3.5 });
    const failed = (await ok(EXECUTE, { name, input: { a: -1, b: 0 } })).executeTask;
    expect(failed).toMatchObject({ status: "failed", output: null, error: { type: "DataError", message: "negative" } });
    const bad = await refused("invalid_input", EXECUTE, { name, input: { a: "two" } });
    expect(bad.extensions!.details.execution_id).toMatch(/^[0-9a-f-]{36}$/);
    await refused("not_found", EXECUTE, { name: uniqueName("missing"), input: {} });
  });

  it("rolls back to an earlier version, and refuses a version that does not exist", async () => {
    const name = uniqueName("gqlrollback");
    await deployed(name, { version: "1.0.0" });
    await deployed(name, { version: "2.0.0", code: "(function(input) { return { sum: 0 }; })" });
    const query = `mutation ($name: String!, $version: String!) { rollbackTask(name: $name, version: $version) { name current_version { version } } }`;
    expect((await ok(query, { name, version: "1.0.0" })).rollbackTask).toEqual({ name, current_version: { version: "1.0.0" } });
    expect((await ok(EXECUTE, { name, input: { a: 1, b: 2 } })).executeTask.output).toEqual({ sum: 3 });
    const missing = await refused("not_found", query, { name, version: "9.9.9" });
    expect(missing.message).toContain("9.9.9");
  });

  it("creates, updates and deletes a schedule; a bad cron or change is refused with its REST code", async () => {
    const name = uniqueName("gqlschedmut");
    await deployed(name);
    const created = (await ok(CREATE_SCHEDULE, { input: { task: name, cron: "0 * * * *", input: { a: 1, b: 2 }, retry: { max_attempts: 2 } } })).createSchedule;
    expect(created).toMatchObject({ task: name, cron: "0 * * * *", timezone: "UTC", enabled: true, retry: { max_attempts: 2 } });
    await refused("invalid_cron", CREATE_SCHEDULE, { input: { task: name, cron: "61 * * * *" } });
    await refused("invalid_task", CREATE_SCHEDULE, { input: { task: uniqueName("missing"), cron: "0 * * * *" } });

    const update = `mutation ($id: ID!, $change: JSON!) { updateSchedule(id: $id, change: $change) { id cron enabled next_run_at next_runs } }`;
    const updated = (await ok(update, { id: created.id, change: { cron: "30 2 * * *", enabled: false } })).updateSchedule;
    expect(updated).toEqual({ id: created.id, cron: "30 2 * * *", enabled: false, next_run_at: null, next_runs: [] });
    await refused("invalid_request", update, { id: created.id, change: { crn: "0 * * * *" } });
    await refused("not_found", update, { id: "no-such-schedule", change: { enabled: true } });

    const remove = `mutation ($id: ID!) { deleteSchedule(id: $id) { deleted } }`;
    expect((await ok(remove, { id: created.id })).deleteSchedule).toEqual({ deleted: created.id });
    expect((await ok(`query ($id: ID!) { schedule(id: $id) { id } }`, { id: created.id })).schedule).toBeNull();
    await refused("not_found", remove, { id: created.id });
  });
});

describe("GraphQL documents that are refused", () => {
  it("answers a syntax error and an unknown field with their codes, suggesting fields only when access is open", async () => {
    const syntax = await refused("graphql_parse_failed", `{ tasks { nodes { name } `);
    expect(syntax.message).toContain("Syntax Error");
    const unknown = await refused("graphql_validation_failed", `{ tasks { nodes { nme } } }`);
    expect(unknown.message).toContain('Cannot query field "nme" on type "Task"');
    expect(unknown.message).toContain('Did you mean "name"');

    const withToken = { ...env, RATCHET_API_TOKEN: "gql-s3cret" };
    const request = (body: unknown, token?: string) =>
      createApp().request(
        ENDPOINT,
        { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) },
        withToken as never,
        createExecutionContext(),
      );
    expect((await request({ query: "{ tasks { nodes { name } } }" })).status).toBe(401);
    const hidden = (await (await request({ query: "{ tasks { nodes { nme } } }" }, "gql-s3cret")).json()) as Answer;
    expect(hidden.errors?.[0]?.message).toContain('Cannot query field "nme" on type "Task"');
    expect(hidden.errors?.[0]?.message).not.toContain("Did you mean");
  });

  it("refuses what a web page could send cross-site: form and text posts, and preflights get no CORS answer", async () => {
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      const body = "query=mutation { deleteSchedule(id: \"x\") { deleted } }";
      // From another origin, the app refuses it before /graphql sees it (middleware/cross-site.ts).
      const crossSite = await SELF.fetch(ENDPOINT, { method: "POST", headers: { "content-type": type, origin: "https://evil.example" }, body });
      expect(crossSite.status, type).toBe(403);
      expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe("cross_site_request");
      // Without an Origin (an old browser, a client that is not one), /graphql still takes JSON only.
      const response = await SELF.fetch(ENDPOINT, { method: "POST", headers: { "content-type": type }, body });
      expect(response.status, type).toBe(415);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
    }
    const preflight = await SELF.fetch(ENDPOINT, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const post = await SELF.fetch(ENDPOINT, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: JSON.stringify({ query: "{ schedules { id } }" }) });
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a query past the depth limit, too many aliases, and a costly one, before running anything", async () => {
    const deep = await refused("query_limit", `{ task(name: "x") { executions { nodes { schedule { runs { last_execution { schedule { id } } } } } } } }`);
    expect(deep.extensions!.limit).toBe("depth");
    expect(deep.message).toMatch(/depth limit of 7 exceeded, found 8\. Ask for fewer nested levels/);
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: schedules { id }`).join(" ");
    expect((await refused("query_limit", `{ ${aliases} }`)).extensions!.limit).toBe("aliases");
    const costly = await refused("query_limit", `{ tasks(first: 100) { nodes { name executions(first: 100) { nodes { id } } } } }`);
    expect(costly.extensions!.limit).toBe("cost");
    await refused("invalid_query", `{ tasks(first: 500) { nodes { name } } }`);
  });
});

describe("GraphQL access", () => {
  it("lets a read token query but not execute, deploy, roll back or change schedules, naming the scope", async () => {
    const name = uniqueName("gqlscope");
    await deployed(name);
    const read = await tokenWith(["read"]);
    expect((await ok(`query ($name: String!) { task(name: $name) { name } }`, { name }, read)).task).toEqual({ name });
    const execute = await refused("forbidden", EXECUTE, { name, input: { a: 1, b: 2 } }, read);
    expect(execute.message).toContain("needs the 'execute' scope");
    expect(execute.extensions!.details).toEqual({ needed: "execute", scopes: ["read"] });
    expect((await refused("forbidden", DEPLOY, { name, bundle: bundle() }, read)).message).toContain("'deploy' scope");
    expect((await refused("forbidden", `mutation { rollbackTask(name: "${name}", version: "1.0.0") { name } }`, {}, read)).message).toContain("'deploy' scope");
    expect((await refused("forbidden", CREATE_SCHEDULE, { input: { task: name, cron: "0 * * * *" } }, read)).message).toContain("'deploy' scope");

    const runner = await tokenWith(["execute"]);
    expect((await ok(EXECUTE, { name, input: { a: 1, b: 2 } }, runner)).executeTask.output).toEqual({ sum: 3 });
    expect((await refused("forbidden", DEPLOY, { name, bundle: bundle() }, runner)).extensions!.details.needed).toBe("deploy");
  });

  it("shows a token limited to some tasks only those tasks, their executions and schedules", async () => {
    const prefix = uniqueName("gqllimited");
    const [mine, theirs] = [`${prefix}-mine`, `${prefix}-theirs`];
    const made: Record<string, { execution: string; schedule: string }> = {};
    for (const name of [mine, theirs]) {
      await deployed(name);
      const execution = (await ok(EXECUTE, { name, input: { a: 1, b: 2 } })).executeTask.execution_id;
      const schedule = (await ok(CREATE_SCHEDULE, { input: { task: name, cron: "0 * * * *", input: { a: 1, b: 2 } } })).createSchedule.id;
      made[name] = { execution, schedule };
    }
    const token = await tokenWith(["deploy"], [mine]);
    const tasks = (await ok(`query ($q: String) { tasks(q: $q) { nodes { name } } }`, { q: prefix }, token)).tasks.nodes;
    expect(tasks).toEqual([{ name: mine }]);
    const executions = (await ok(`{ executions(first: 100) { nodes { task } } }`, {}, token)).executions.nodes;
    expect(executions.length).toBeGreaterThan(0);
    expect(new Set(executions.map((e: { task: string }) => e.task))).toEqual(new Set([mine]));
    expect((await ok(`query ($task: String) { executions(task: $task) { nodes { id } } }`, { task: theirs }, token)).executions.nodes).toEqual([]);
    const schedules = (await ok(`{ schedules { task } }`, {}, token)).schedules;
    expect(schedules).toEqual([{ task: mine }]);

    // Another task's records read as absent (as REST's 404s); asking for the task by name is refused.
    const byId = `query ($e: ID!, $s: ID!) { execution(id: $e) { id } schedule(id: $s) { id } }`;
    expect(await ok(byId, { e: made[theirs]!.execution, s: made[theirs]!.schedule }, token)).toEqual({ execution: null, schedule: null });
    expect(await ok(byId, { e: made[mine]!.execution, s: made[mine]!.schedule }, token)).toEqual({ execution: { id: made[mine]!.execution }, schedule: { id: made[mine]!.schedule } });
    await refused("not_found", `mutation ($id: ID!) { deleteSchedule(id: $id) { deleted } }`, { id: made[theirs]!.schedule }, token);
    const other = await refused("forbidden", `query ($name: String!) { task(name: $name) { name } }`, { name: theirs }, token);
    expect(other.message).toContain(`limited to the tasks ${mine}`);
    await refused("forbidden", EXECUTE, { name: theirs, input: { a: 1, b: 2 } }, token);
    await refused("forbidden", DEPLOY, { name: theirs, bundle: bundle() }, token);
    await refused("forbidden", CREATE_SCHEDULE, { input: { task: theirs, cron: "0 * * * *" } }, token);
    expect((await ok(EXECUTE, { name: mine, input: { a: 1, b: 2 } }, token)).executeTask.status).toBe("completed");
  });
});

describe("GraphiQL", () => {
  it("is served on a browser's GET with every asset from the Worker itself, no external origin", async () => {
    const page = await SELF.fetch(ENDPOINT, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("renderYogaGraphiQL");
    expect(html).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const workers = [...html.matchAll(/"(\/graphql\/graphiql\/[^"]+\.worker\.js)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(3);
    expect(workers).toHaveLength(3);
    // The assets' contents are checked in test/unit/graphiql-assets.test.ts: a module of several MB cannot
    // cross the test pool's WebSocket into workerd, so only their paths are checked here.
    for (const path of [...assets, ...workers]) expect(path.startsWith("/graphql/graphiql/"), path).toBe(true);
    expect((await SELF.fetch("http://ratchet.test/graphql/graphiql/nothing.js")).status).toBe(404);
  });

  it("leaves GET queries to GraphQL", async () => {
    const response = await SELF.fetch(`${ENDPOINT}?query=${encodeURIComponent("{ schedules { id } }")}`, { headers: { accept: "application/json" } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Answer).data.schedules).toBeInstanceOf(Array);
  });
});
