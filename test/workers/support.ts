import { SELF } from "cloudflare:test";
import { expect } from "vitest";

export const API = "http://ratchet.test/api/v1";

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** Calls the real Worker (its fetch handler, bindings and middleware) and parses the JSON answer. */
export async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return replyOf((await SELF.fetch(`${API}${path}`, init as never)) as unknown as Response);
}

/** A Worker's answer with its body parsed as JSON, or kept as text when it is not JSON (metrics). */
export async function replyOf(response: Response): Promise<Reply> {
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

let counter = 0;
/** A task name no other test uses (tests share the local D1 and R2). */
export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

export function bundle(options: { code?: string; version?: string; tags?: string[]; label?: string; input?: object; output?: object; tests?: object[]; timeout?: number } = {}) {
  return {
    format: "ratchet.bundle/1",
    metadata: {
      uuid: "2f0d8b5e-7c1a-4c3e-9a61-0b1f6c8d2e41",
      version: options.version ?? "1.0.0",
      label: options.label ?? "API test task",
      description: "used by the Worker tests",
      tags: options.tags ?? ["test"],
      ...(options.timeout ? { timeout: options.timeout } : {}),
    },
    code: options.code ?? "(function(input, context) { console.log('adding'); return { sum: input.a + input.b }; })",
    input_schema: options.input ?? { type: "object", required: ["a", "b"], properties: { a: { type: "number" }, b: { type: "number" } } },
    output_schema: options.output ?? { type: "object", required: ["sum"], properties: { sum: { type: "number" } } },
    tests: (options.tests ?? []).map((test, i) => ({ file: `tests/t${i}.json`, case: test })),
  };
}

/** Deploys and expects success. */
export async function deploy(name: string, document: object = bundle()): Promise<Reply> {
  const reply = await call("PUT", `/tasks/${name}`, document);
  expect([200, 201], JSON.stringify(reply.body)).toContain(reply.status);
  return reply;
}

/** An execution's record, read once: an id the platform handed out is readable at once (the record is written before the response). */
export async function recordOf(id: string): Promise<Reply> {
  const reply = await call("GET", `/executions/${id}`);
  expect(reply.status, `execution ${id} is not readable right after its response: ${JSON.stringify(reply.body)}`).toBe(200);
  return reply;
}

/**
 * An execution id the platform hands out is readable by the very next request: the record is in
 * D1 before the response (or before the scheduler moves on; that test is in schedules.test.ts, whose
 * ticks run alone). No waiting, no retrying here.
 */
export async function readableAtOnce(id: string, task: string, trigger: string, status = "completed") {
  const one = await call("GET", `/executions/${id}`);
  expect(one.status, JSON.stringify(one.body)).toBe(200);
  expect(one.body).toMatchObject({ id, task, trigger, status });
  const since = new Date(Date.parse(one.body.started_at) - 1000).toISOString();
  const until = new Date(Date.parse(one.body.started_at) + 1000).toISOString();
  const lists = [
    "/executions",
    `/executions?task=${task}`,
    `/executions?status=${status}`,
    `/executions?trigger=${trigger}`,
    `/executions?task=${task}&status=${status}&trigger=${trigger}&since=${since}&until=${until}`,
  ];
  // Other test files run at the same time: the execution is among the newest, not always first.
  for (const list of lists) {
    const reply = await call("GET", `${list}${list.includes("?") ? "&" : "?"}limit=200`);
    expect(reply.status).toBe(200);
    expect(reply.body.executions.find((e: { id: string }) => e.id === id), list).toMatchObject({ id, task });
  }
}
