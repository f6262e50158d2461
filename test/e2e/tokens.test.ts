/**
 * `ratchet token` as an operator uses it: against `ratchet serve --token` (the built Worker in
 * workerd, local D1), create a scoped token, use it over HTTP, list it, revoke it.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../support/process.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");
const BOOTSTRAP = "e2e-bootstrap-token";

let work: string;
let server: ServeProcess;
let base: string;

/** The CLI, talking to the server with `token` (the bootstrap one unless told). */
const ratchet = (args: string[], token = BOOTSTRAP) => runProcess(process.execPath, [BIN, ...args, "--url", base, "--token", token], work, { RATCHET_API_TOKEN: "" });
const runAddition = (token?: string) =>
  fetch(`${base}/api/v1/run/addition`, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {}, body: JSON.stringify({ num1: 1, num2: 2 }) });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ratchet-tokens-"));
  await cp(join(ROOT, "tasks/addition"), join(work, "tasks/addition"), { recursive: true });
  server = startServe(process.execPath, [BIN, "serve", "--port", "0", "--no-watch", "--token", BOOTSTRAP], work, { RATCHET_API_TOKEN: "" });
  [, base] = (await server.waitFor(/serving the Worker on (http:\/\/\S+)/, 90_000)) as [string, string];
  await server.waitFor(/tasks deployed/, 60_000);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("ratchet token against ratchet serve --token", () => {
  it("says on start that requests need a token", () => {
    expect(server.log()).toContain("RATCHET_API_TOKEN is set: requests need Authorization: Bearer <token>");
  });

  it("creates a scoped token shown once, which runs tasks but cannot deploy; lists and revokes it", async () => {
    expect((await runAddition()).status).toBe(401);

    const created = await ratchet(["token", "create", "--name", "runner", "--scope", "execute", "--task", "addition"]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("the only time the token is shown");

    const ran = await runAddition(token);
    expect(ran.status).toBe(200);
    expect(await ran.json()).toEqual({ sum: 3 });
    const deploy = await fetch(`${base}/api/v1/tasks/addition`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
    expect(deploy.status).toBe(403);
    expect(((await deploy.json()) as { error: { message: string } }).error.message).toBe("This needs the 'deploy' scope; token 'runner' has: execute");

    // The scoped token cannot manage tokens; the CLI says why and fails.
    const refused = await ratchet(["token", "list"], token);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403 forbidden: /);

    const listed = await ratchet(["token", "list", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(token);
    const entry = (JSON.parse(listed.stdout) as { id: string; name: string; scopes: string[]; tasks: string[]; last_used_at: string | null }[]).find((t) => t.name === "runner")!;
    expect(entry).toMatchObject({ scopes: ["execute"], tasks: ["addition"], last_used_at: expect.any(String) });
    const table = await ratchet(["token", "list"]);
    expect(table.stdout).toMatch(new RegExp(`^${entry.id}\\trunner\\texecute\\taddition\\t.*\\tactive$`, "m"));

    const revoked = await ratchet(["token", "revoke", entry.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked token ${entry.id} 'runner'`);
    const after = await runAddition(token);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toContain("The token 'runner' was revoked");
  });

  it("refuses an unknown scope before calling the server, and a wrong bootstrap token with 401", async () => {
    const unknown = await ratchet(["token", "create", "--name", "x", "--scope", "root"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown scope root: the scopes are admin, deploy, execute, read");
    const wrong = await ratchet(["token", "list"], "not-the-token");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 unauthorized: The bearer token is not valid/);
  });
});
