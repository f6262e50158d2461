import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { openSecret } from "../../src/platform/secrets/cipher.ts";
import { secretsKey } from "../../src/platform/secrets/key.ts";
import { putTaskSecret } from "../../src/platform/secrets/task-secrets.ts";
import { createApp } from "../../src/worker/app.ts";
import { bundle, call, deploy, recordOf, uniqueName } from "./support.ts";

const VALUE = "sk-live-7c1d2e9fa0";

/** Logs the secret, sends it upstream in the query and a header, returns what came back, and throws with it when asked. */
const SECRET_TASK = `(async function(input, context) {
  console.log("calling with " + context.secrets.API_KEY);
  var reply = await fetch(input.url + "/echo?q=" + context.secrets.API_KEY, { headers: { "X-Upstream-Auth": context.secrets.API_KEY } });
  var echoed = await reply.json();
  if (input.fail) throw new Error("upstream refused " + context.secrets.API_KEY);
  return { header: echoed.headers["x-upstream-auth"], names: Object.keys(context.secrets), frozen: Object.isFrozen(context.secrets) };
})`;
const ANY = { type: "object" };

const secretRows = (task: string) => env.DB.prepare("select * from task_secrets where task_name = ?").bind(task).all<Record<string, string>>();

async function deployWithSecret(prefix: string, code = SECRET_TASK): Promise<string> {
  const name = uniqueName(prefix);
  await deploy(name, bundle({ code, input: ANY, output: ANY }));
  const put = await call("PUT", `/tasks/${name}/secrets/API_KEY`, { value: VALUE });
  expect(put.status, JSON.stringify(put.body)).toBe(201);
  return name;
}

describe("task secrets: the API", () => {
  it("puts, lists (names and times only) and deletes a secret; D1 holds ciphertext, never the value", async () => {
    const name = uniqueName("secrets-api");
    await deploy(name);
    expect((await call("PUT", `/tasks/${name}/secrets/API_KEY`, { value: VALUE })).body).toEqual({ task: name, name: "API_KEY", outcome: "created" });
    const again = await call("PUT", `/tasks/${name}/secrets/API_KEY`, { value: `${VALUE}-2` });
    expect([again.status, again.body.outcome]).toEqual([200, "updated"]);
    await call("PUT", `/tasks/${name}/secrets/OTHER`, { value: "other-value" });

    const listed = await call("GET", `/tasks/${name}/secrets`);
    expect(listed.status).toBe(200);
    expect(listed.body.secrets.map((s: { name: string }) => s.name)).toEqual(["API_KEY", "OTHER"]);
    expect(Object.keys(listed.body.secrets[0]).sort()).toEqual(["created_at", "name", "updated_at"]);
    expect(JSON.stringify(listed.body)).not.toContain(VALUE);
    expect(JSON.stringify(listed.body)).not.toContain("other-value");

    const { results } = await secretRows(name);
    expect(results).toHaveLength(2);
    for (const row of results) {
      const plain = atob(row.ciphertext!);
      expect(JSON.stringify(row)).not.toContain(VALUE);
      expect(plain).not.toContain(VALUE);
      expect(plain).not.toContain("other-value");
      expect(atob(row.iv!)).toHaveLength(12);
    }
    // A fresh IV per write: the same value put twice is two different ciphertexts.
    await call("PUT", `/tasks/${name}/secrets/SAME`, { value: "same" });
    const first = (await secretRows(name)).results.find((r) => r.name === "SAME")!;
    await call("PUT", `/tasks/${name}/secrets/SAME`, { value: "same" });
    const second = (await secretRows(name)).results.find((r) => r.name === "SAME")!;
    expect(second.ciphertext).not.toBe(first.ciphertext);
    expect(second.iv).not.toBe(first.iv);

    expect((await call("DELETE", `/tasks/${name}/secrets/OTHER`)).body).toEqual({ task: name, deleted: "OTHER" });
    const gone = await call("DELETE", `/tasks/${name}/secrets/OTHER`);
    expect([gone.status, gone.body.error.code]).toEqual([404, "not_found"]);
    expect((await call("GET", `/tasks/${name}/secrets`)).body.secrets.map((s: { name: string }) => s.name)).toEqual(["API_KEY", "SAME"]);
  });

  it("refuses a bad name, an empty or oversized value, a malformed body and a missing task, with what is wrong", async () => {
    const name = uniqueName("secrets-bad");
    await deploy(name);
    const badName = await call("PUT", `/tasks/${name}/secrets/1-bad`, { value: "v" });
    expect([badName.status, badName.body.error.code]).toEqual([400, "invalid_secret"]);
    expect(badName.body.error.message).toMatch(/Secret name "1-bad" is not valid: a letter or _/);
    const big = await call("PUT", `/tasks/${name}/secrets/BIG`, { value: "é".repeat(2049) });
    expect([big.status, big.body.error.message]).toEqual([400, "Secret BIG is 4098 bytes; the limit is 4096"]);
    for (const body of [{ value: "" }, { value: 42 }, { other: "x" }, { value: "v", extra: 1 }]) {
      const reply = await call("PUT", `/tasks/${name}/secrets/OK`, body);
      expect([reply.status, reply.body.error.code], JSON.stringify(body)).toEqual([400, "invalid_request"]);
    }
    expect((await call("PUT", `/tasks/no-such-${name}/secrets/OK`, { value: "v" })).status).toBe(404);
    expect((await call("GET", `/tasks/no-such-${name}/secrets`)).status).toBe(404);
    expect((await secretRows(name)).results).toHaveLength(0);
  });

  it("refuses to put a secret with no RATCHET_SECRETS_KEY (503 saying how to set one) and with a malformed one", async () => {
    const name = uniqueName("secrets-nokey");
    await deploy(name);
    await expect(putTaskSecret({ ...env, RATCHET_SECRETS_KEY: undefined }, name, "API_KEY", VALUE)).rejects.toMatchObject({
      status: 503,
      code: "secrets_unavailable",
      message: expect.stringMatching(/RATCHET_SECRETS_KEY is not set; set RATCHET_SECRETS_KEY to 32 random bytes in base64: `openssl rand -base64 32/),
    });
    await expect(putTaskSecret({ ...env, RATCHET_SECRETS_KEY: btoa("short") }, name, "API_KEY", VALUE)).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining("RATCHET_SECRETS_KEY holds 5 bytes, not 32"),
    });
    expect((await secretRows(name)).results).toHaveLength(0);
  });

  it("deletes a task's secrets with the task", async () => {
    const name = await deployWithSecret("secrets-del");
    expect((await secretRows(name)).results).toHaveLength(1);
    expect((await call("DELETE", `/tasks/${name}`)).status).toBe(200);
    expect((await secretRows(name)).results).toHaveLength(0);
  });
});

describe("task secrets in a run", () => {
  it("gives the task context.secrets and redacts the value from the reply, logs, HTTP trace and the stored record, input included", async () => {
    const name = await deployWithSecret("secrets-run");
    const url = inject("upstreamUrl");
    const reply = await call("POST", `/tasks/${name}/execute`, { url, note: `my key is ${VALUE}` });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    // The upstream saw the real value (it echoed the header back); everything the platform gives out has the marker.
    expect(reply.body.output).toEqual({ header: "[redacted:API_KEY]", names: ["API_KEY"], frozen: true });
    expect(reply.body.logs[0].message).toBe("calling with [redacted:API_KEY]");
    expect(JSON.stringify(reply.body)).not.toContain(VALUE);

    const record = (await recordOf(reply.body.execution_id)).body;
    expect(record.input).toEqual({ url, note: "my key is [redacted:API_KEY]" });
    expect(record.http[0].url).toBe(`${url}/echo?q=[redacted:API_KEY]`);
    expect(record.logs[0].message).toBe("calling with [redacted:API_KEY]");
    expect(record.output.header).toBe("[redacted:API_KEY]");
    expect(JSON.stringify(record)).not.toContain(VALUE);
  });

  it("redacts the value from an error message, in the reply and the record", async () => {
    const name = await deployWithSecret("secrets-err");
    const reply = await call("POST", `/tasks/${name}/execute`, { url: inject("upstreamUrl"), fail: true });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details.message).toBe("upstream refused [redacted:API_KEY]");
    expect(JSON.stringify(reply.body)).not.toContain(VALUE);
    const record = (await recordOf(reply.body.error.details.execution_id)).body;
    expect(record.error.message).toBe("upstream refused [redacted:API_KEY]");
    expect(JSON.stringify(record)).not.toContain(VALUE);
  });

  it("sees a put or delete at once in the same isolate (the per-isolate cache is dropped)", async () => {
    const name = uniqueName("secrets-cache");
    await deploy(name, bundle({ code: "(function(input, context) { return { length: (context.secrets.K || '').length }; })", input: ANY, output: ANY }));
    expect((await call("POST", `/run/${name}`, {})).body).toEqual({ length: 0 });
    await call("PUT", `/tasks/${name}/secrets/K`, { value: "abc" });
    expect((await call("POST", `/run/${name}`, {})).body).toEqual({ length: 3 });
    await call("PUT", `/tasks/${name}/secrets/K`, { value: "abcdef" });
    expect((await call("POST", `/run/${name}`, {})).body).toEqual({ length: 6 });
    await call("DELETE", `/tasks/${name}/secrets/K`);
    expect((await call("POST", `/run/${name}`, {})).body).toEqual({ length: 0 });
  });

  it("never gives one task's secrets to another task's run", async () => {
    const owner = await deployWithSecret("secrets-a");
    const other = uniqueName("secrets-b");
    const spy = "(function(input, context) { return { secrets: context.secrets, json: JSON.stringify(context) }; })";
    await deploy(other, bundle({ code: spy, input: ANY, output: ANY }));
    // The owner's isolate has its secrets cached; the other task still sees none of them.
    expect((await call("POST", `/tasks/${owner}/execute`, { url: inject("upstreamUrl") })).status).toBe(200);
    const reply = await call("POST", `/run/${other}`, {});
    expect(reply.body.secrets).toEqual({});
    expect(reply.body.json).not.toContain(VALUE);
    expect(reply.body.json).not.toContain("API_KEY");
  });

  it("refuses a ciphertext copied to another task (the task and name are authenticated with it)", async () => {
    const owner = await deployWithSecret("secrets-src");
    const thief = uniqueName("secrets-dst");
    await deploy(thief, bundle({ code: "(function(input, context) { return { got: context.secrets.API_KEY }; })", input: ANY, output: ANY }));
    const [row] = (await secretRows(owner)).results;
    await env.DB.prepare("insert into task_secrets (task_name, name, ciphertext, iv, created_at, updated_at) values (?, ?, ?, ?, ?, ?)")
      .bind(thief, "API_KEY", row!.ciphertext, row!.iv, row!.created_at, row!.updated_at)
      .run();
    const key = await secretsKey(env);
    await expect(openSecret(key, thief, "API_KEY", { ciphertext: row!.ciphertext!, iv: row!.iv! })).rejects.toMatchObject({ code: "secret_unreadable" });
    await expect(openSecret(key, owner, "OTHER_NAME", { ciphertext: row!.ciphertext!, iv: row!.iv! })).rejects.toMatchObject({ code: "secret_unreadable" });
    expect(await openSecret(key, owner, "API_KEY", { ciphertext: row!.ciphertext!, iv: row!.iv! })).toBe(VALUE);

    const reply = await call("POST", `/run/${thief}`, {});
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe("secret_unreadable");
    expect(reply.body.error.message).toContain(`Secret API_KEY of task ${thief} cannot be decrypted`);
    expect(JSON.stringify(reply.body)).not.toContain(VALUE);
  });
});

describe("task secrets: who may manage them", () => {
  const BOOTSTRAP = "secrets-bootstrap-token";
  const guarded = { ...env, RATCHET_API_TOKEN: BOOTSTRAP };
  const app = createApp();
  const as = (token: string | undefined) => async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) };
    const response = await app.request(`http://ratchet.test/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, guarded as never, createExecutionContext());
    return { status: response.status, body: (await response.json()) as any };
  };
  const admin = as(BOOTSTRAP);
  const issue = async (scopes: string[], tasks?: string[]) => {
    const reply = await admin("POST", "/tokens", { name: uniqueName("secrets-token"), scopes, ...(tasks ? { tasks } : {}) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return as(reply.body.token as string);
  };

  it("needs the deploy scope, for the tasks the token may touch; without a token, 401", async () => {
    const [mine, other] = [uniqueName("secrets-mine"), uniqueName("secrets-other")];
    for (const name of [mine, other]) expect((await admin("PUT", `/tasks/${name}`, bundle())).status).toBe(201);

    const anonymous = await as(undefined)("PUT", `/tasks/${mine}/secrets/K`, { value: "v" });
    expect(anonymous.status).toBe(401);
    const runner = await issue(["execute"]);
    for (const [method, path, body] of [["PUT", `/tasks/${mine}/secrets/K`, { value: "v" }], ["GET", `/tasks/${mine}/secrets`], ["DELETE", `/tasks/${mine}/secrets/K`]] as const) {
      const reply = await runner(method, path, body);
      expect([reply.status, reply.body.error.details?.needed], `${method} ${path}`).toEqual([403, "deploy"]);
    }
    const limited = await issue(["deploy"], [mine]);
    expect((await limited("PUT", `/tasks/${mine}/secrets/K`, { value: "v" })).status).toBe(201);
    expect((await limited("GET", `/tasks/${mine}/secrets`)).body.secrets.map((s: { name: string }) => s.name)).toEqual(["K"]);
    for (const [method, path, body] of [["PUT", `/tasks/${other}/secrets/K`, { value: "v" }], ["GET", `/tasks/${other}/secrets`], ["DELETE", `/tasks/${other}/secrets/K`]] as const) {
      expect((await limited(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
    expect((await secretRows(other)).results).toHaveLength(0);
  });
});
