import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { CLEANUP_MINUTE, ORPHAN_GRACE_MS } from "../../src/platform/bundle-cleanup.ts";
import { TRIAL_INTERVAL_MS } from "../../src/platform/storage-state.ts";
import worker from "../../src/worker/index.ts";
import { faultyStorage, type Fault, type FaultyStorage, type StorageCall } from "./faulty-storage.ts";
import { API, bundle, call, deploy, replyOf, uniqueName, type Reply } from "./support.ts";

/**
 * D1 and R2 failing at each step of a deploy, an execution and a scheduler tick. The Worker runs
 * unchanged on the real Miniflare stores; only the bindings it is given fail (faulty-storage.ts).
 */

const upstream = inject("upstreamUrl");

/** A request to the real Worker with the given (faulty) bindings. */
async function send(storage: FaultyStorage, method: string, path: string, body?: unknown): Promise<Reply> {
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const response = await worker.fetch(new Request(`${API}${path}`, init) as never, storage.env as never, ctx as never);
  await waitOnExecutionContext(ctx);
  return replyOf(response as unknown as Response);
}

/** The Worker's scheduled() handler, as the Cron Trigger fires it, with the given bindings. */
async function tick(storage: FaultyStorage, at: string): Promise<void> {
  const ctx = createExecutionContext();
  try {
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(at), cron: "* * * * *" }) as never, storage.env as never, ctx as never);
  } finally {
    await waitOnExecutionContext(ctx);
  }
}

/** Fails the call `step` (the index-th of `calls`) when the same operation runs again: by its text and position among equal ones. */
function stepFault(calls: StorageCall[], index: number, when: "before" | "after"): Fault {
  const step = calls[index]!;
  const escaped = step.what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const skip = calls.slice(0, index).filter((c) => c.on === step.on && c.what === step.what).length;
  return { on: step.on, match: new RegExp(`^${escaped}$`), skip, when };
}

/** The test's own looks at each key's count, which the upstream counts too. */
const looks = new Map<string, number>();
/** How many times the task with this key has run (the upstream counts its /hit requests, the test's looks included). */
async function runsOf(key: string): Promise<number> {
  looks.set(key, (looks.get(key) ?? 0) + 1);
  const reply = await fetch(`${upstream}/hit?key=${encodeURIComponent(key)}`);
  return ((await reply.json()) as { count: number }).count - looks.get(key)!;
}

/** Clears this isolate's "storage down" state with a successful probe of the real stores. */
async function storageBack(): Promise<void> {
  expect((await send(faultyStorage(), "GET", "/health")).status).toBe(200);
}

const hitTask = (code: string) =>
  bundle({
    code,
    input: { type: "object", required: ["url", "key"], properties: { url: { type: "string" }, key: { type: "string" } } },
    output: { type: "object" },
  });
/** Reports its run to the upstream, so a test can tell whether it ran. */
const hitting = (marker: string) => hitTask(`(function(input) { const r = fetch(input.url + "/hit?key=" + input.key); return { runs: r.body.count, marker: ${JSON.stringify(marker)} }; })`);

beforeAll(async () => {
  // The bundled tasks register on the first API request and the first tick: done here, so the steps listed below are the operation's own.
  await call("GET", "/tasks?limit=1");
  await tick(faultyStorage(), "2031-01-01T00:00:30.000Z");
});

describe("deploys are all or nothing", () => {
  const declared = (crons: string[], code: string, version: string) => {
    const document = bundle({ code, version });
    return { ...document, metadata: { ...document.metadata, schedules: crons.map((cron) => ({ cron, input: { a: 1, b: 2 } })) } };
  };
  const v1 = (crons = ["0 * * * *"]) => declared(crons, "(function(input) { return { sum: input.a + input.b }; })", "1.0.0");
  const v2Code = "(function(input) { return { sum: input.a + input.b + 1000 }; })";
  const v2 = () => declared(["15 * * * *", "45 * * * *"], v2Code, "2.0.0");

  /** What D1, R2 and an invocation show of a task. */
  async function seen(name: string) {
    const versions = (await env.DB.prepare("select id, version, r2_key from task_versions where task_name = ? order by version").bind(name).all<{ id: string; version: string; r2_key: string }>()).results;
    const current = await env.DB.prepare("select current_version_id as id from tasks where name = ?").bind(name).first<{ id: string }>();
    const crons = (await env.DB.prepare("select cron from schedules where task_name = ? and source = 'metadata' order by source_key").bind(name).all<{ cron: string }>()).results.map((r) => r.cron);
    const serving = versions.find((v) => v.id === current?.id);
    const objectPresent = serving ? (await env.BUNDLES.head(serving.r2_key)) !== null : false;
    const run = await call("POST", `/run/${name}`, { a: 1, b: 2 });
    return { versions: versions.map((v) => v.version), serving: serving?.version, crons, objectPresent, output: run.body };
  }
  const before = { versions: ["1.0.0"], serving: "1.0.0", crons: ["0 * * * *"], objectPresent: true, output: { sum: 3 } };
  const after = { versions: ["1.0.0", "2.0.0"], serving: "2.0.0", crons: ["15 * * * *", "45 * * * *"], objectPresent: true, output: { sum: 1003 } };

  it("lists the storage steps of a deploy: the reads, the R2 put, the one D1 batch", async () => {
    const name = uniqueName("steps");
    await deploy(name, v1());
    const storage = faultyStorage();
    expect((await send(storage, "PUT", `/tasks/${name}`, v2())).status).toBe(201);
    const kinds = storage.calls.map((c) => (c.on === "r2" ? c.what.split(" ")[0] : /^\s*(\w+)/.exec(c.what)![1]!.toLowerCase()));
    expect(kinds).toContain("put");
    expect(kinds.filter((k) => k === "insert" || k === "update" || k === "delete")).toEqual(["insert"]);
    // The writes to D1 are one batch: the version, the task's pointer and the schedules together.
    const batch = storage.calls.find((c) => c.on === "d1" && c.what.startsWith("insert"))!;
    expect(batch.what).toMatch(/insert into "task_versions".* ; insert into "tasks".* ; update "schedules".* ; insert into "schedules"/);
  });

  for (const when of ["before", "after"] as const) {
    it(`a storage failure ${when === "before" ? "at" : "just after"} each step leaves the old version serving or the new one whole; the client gets a 503 and retrying deploys it`, async () => {
      const listing = uniqueName("listing");
      await deploy(listing, v1());
      const probe = faultyStorage();
      expect((await send(probe, "PUT", `/tasks/${listing}`, v2())).status).toBe(201);
      expect(probe.calls.length).toBeGreaterThanOrEqual(4);

      for (let index = 0; index < probe.calls.length; index++) {
        const name = uniqueName(`deploy-${when}-${index}`);
        await deploy(name, v1());
        const storage = faultyStorage([stepFault(probe.calls, index, when)]);
        const failed = await send(storage, "PUT", `/tasks/${name}`, v2());
        const step = `${when} step ${index}: ${probe.calls[index]!.what.slice(0, 120)}`;
        expect(storage.calls.filter((c) => c.failed), step).toHaveLength(1);
        expect(failed.status, step).toBe(503);
        expect(failed.body.error.code, step).toBe("storage_unavailable");
        expect(failed.body.error.message, step).toMatch(/deploying .*safe/);
        expect(failed.headers.get("retry-after"), step).toBe("1");
        // Only the D1 batch commits anything: failing after it leaves the new version whole.
        const committed = when === "after" && probe.calls[index]!.what.startsWith("insert into \"task_versions\"");
        expect(await seen(name), step).toEqual(committed ? after : before);

        const retried = await call("PUT", `/tasks/${name}`, v2());
        expect([200, 201], step).toContain(retried.status);
        expect(await seen(name), step).toEqual(after);
      }
    });
  }
});

describe("deletes are all or nothing", () => {
  it("a delete whose D1 batch fails answers 503 and leaves the task whole; deleting again works and touches no R2 object", async () => {
    const name = uniqueName("delete");
    await deploy(name, bundle({ code: `(function(input) { return { sum: input.a + input.b }; }) // ${name}` }));
    const storage = faultyStorage([{ on: "d1", match: /^delete from "tasks"/ }, { on: "r2", times: Infinity }]);
    const failed = await send(storage, "DELETE", `/tasks/${name}`);
    expect(failed.status).toBe(503);
    expect(failed.body.error).toMatchObject({ code: "storage_unavailable", message: expect.stringMatching(/deleting .*again is safe/) });
    expect((await call("POST", `/run/${name}`, { a: 1, b: 2 })).body).toEqual({ sum: 3 });

    const deleted = await send(storage, "DELETE", `/tasks/${name}`);
    expect(deleted.status).toBe(200);
    expect(storage.calls.filter((c) => c.on === "r2")).toEqual([]);
    expect((await call("POST", `/run/${name}`, { a: 1, b: 2 })).status).toBe(404);
    expect(await env.DB.prepare("select count(*) as n from task_versions where task_name = ?").bind(name).first("n")).toBe(0);
  });
});

describe("/health", () => {
  it("names D1 when D1 is down, R2 when R2 is down, and both when both are", async () => {
    const d1 = await send(faultyStorage([{ on: "d1", times: Infinity }]), "GET", "/health");
    expect(d1.status).toBe(503);
    expect(d1.body).toMatchObject({ status: "down", down: ["d1"], checks: { d1: expect.stringMatching(/^down: D1_ERROR/), r2: "ok" } });
    const r2 = await send(faultyStorage([{ on: "r2", times: Infinity }]), "GET", "/health");
    expect(r2.status).toBe(503);
    expect(r2.body).toMatchObject({ status: "down", down: ["r2"], checks: { d1: "ok", r2: expect.stringMatching(/^down: head/) } });
    const both = await send(faultyStorage([{ on: "d1", times: Infinity }, { on: "r2", times: Infinity }]), "GET", "/health");
    expect(both.body.down).toEqual(["d1", "r2"]);
    await storageBack();
  });

  it("stays open and cheap: one trivial D1 query and one R2 HEAD", async () => {
    const storage = faultyStorage();
    const reply = await send(storage, "GET", "/health");
    expect(reply.body).toEqual({ status: "ok", checks: { d1: "ok", r2: "ok" } });
    expect(storage.calls.map((c) => c.what)).toEqual(expect.arrayContaining(["select 1", "head health-probe"]));
    expect(storage.calls).toHaveLength(2);
  });
});

describe("an execution that cannot be recorded", () => {
  beforeEach(storageBack);

  async function deployed(marker: string) {
    const name = uniqueName(marker);
    // Content of its own: no isolate has its bundle or its version cached yet.
    await deploy(name, hitting(name));
    return { name, key: name, input: { url: upstream, key: name } };
  }

  it("answers 503 storage_unavailable, without running the task, when its version cannot be looked up", async () => {
    const { name, key, input } = await deployed("lookup");
    const reply = await send(faultyStorage([{ on: "d1", times: Infinity }]), "POST", `/run/${name}`, input);
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ code: "storage_unavailable", message: expect.stringMatching(/loading task [\s\S]*not run/) });
    expect(reply.headers.get("retry-after")).toBe("1");
    expect(await runsOf(key)).toBe(0);
    expect((await call("POST", `/run/${name}`, input)).status).toBe(200);
    expect(await runsOf(key)).toBe(1);
  });

  it("answers 503 storage_unavailable, without running the task, when its bundle cannot be read from R2", async () => {
    const { name, key, input } = await deployed("bundle");
    const storage = faultyStorage([{ on: "r2", match: /^get bundles\//, times: Infinity }]);
    const reply = await send(storage, "POST", `/tasks/${name}/execute`, input);
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe("storage_unavailable");
    expect(storage.calls.filter((c) => c.failed)).toHaveLength(1);
    expect(await runsOf(key)).toBe(0);
  });

  it("answers 503 bundle_missing for a version whose bundle object was lost, and deploying the same content again restores it", async () => {
    const { name, key, input } = await deployed("missing");
    const version = await env.DB.prepare("select r2_key from task_versions where task_name = ?").bind(name).first<{ r2_key: string }>();
    await env.BUNDLES.delete(version!.r2_key);
    const reply = await call("POST", `/run/${name}`, input);
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ code: "bundle_missing", message: expect.stringMatching(/deploy the task again/) });
    expect(await runsOf(key)).toBe(0);
    const again = await call("PUT", `/tasks/${name}`, hitting(name));
    expect(again.body.outcome).toBe("unchanged");
    expect((await call("POST", `/run/${name}`, input)).status).toBe(200);
    expect(await runsOf(key)).toBe(1);
  });

  it("tells the client when the record is lost after the run (503 not_recorded with the outcome), then refuses new executions before they run until storage answers", async () => {
    const { name, key, input } = await deployed("lost");
    const storage = faultyStorage([{ on: "d1", match: /insert into "executions"/, times: Infinity }]);
    const lost = await send(storage, "POST", `/run/${name}`, input);
    expect(lost.status).toBe(503);
    expect(lost.headers.get("retry-after")).toBe("1");
    expect(lost.body.error).toMatchObject({ code: "not_recorded", details: { task: name, status: "completed", output: { runs: 1, marker: name } } });
    expect(await runsOf(key)).toBe(1);
    expect((await call("GET", `/executions/${lost.body.error.details.execution_id}`)).status).toBe(404);

    // Storage is now known down in this isolate: the next execution is refused before it runs.
    const refused = await send(storage, "POST", `/run/${name}`, input);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "storage_unavailable", message: expect.stringMatching(/not run/) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await runsOf(key)).toBe(1);

    // Once the stores answer, the next trial (after TRIAL_INTERVAL_MS) probes D1 and runs.
    storage.heal();
    await new Promise((resolve) => setTimeout(resolve, TRIAL_INTERVAL_MS + 50));
    const back = await send(storage, "POST", `/tasks/${name}/execute`, input);
    expect(back.status).toBe(200);
    expect((await call("GET", `/executions/${back.body.execution_id}`)).status).toBe(200);
    expect(await runsOf(key)).toBe(2);
  });

  it("a successful /health probe ends the refusal at once", async () => {
    const { name, key, input } = await deployed("probe");
    const storage = faultyStorage([{ on: "d1", match: /insert into "executions"/, times: Infinity }]);
    expect((await send(storage, "POST", `/run/${name}`, input)).body.error.code).toBe("not_recorded");
    expect((await send(storage, "POST", `/run/${name}`, input)).body.error.code).toBe("storage_unavailable");
    storage.heal();
    await storageBack();
    expect((await send(storage, "POST", `/run/${name}`, input)).status).toBe(200);
    expect(await runsOf(key)).toBe(2);
  });
});

describe("the scheduler under storage faults", () => {
  const T1 = "2032-06-01T10:00:00.000Z";
  const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

  beforeEach(async () => {
    // Schedules are global to the scheduler: only this test's run at its ticks.
    await env.DB.batch([env.DB.prepare("delete from schedules"), env.DB.prepare("delete from schedule_runs")]);
    await storageBack();
  });

  /** A task on an every-minute schedule whose next slot is T1; its runs are counted upstream under the schedule's id. */
  async function everyMinute() {
    const name = uniqueName("tick");
    await deploy(name, hitting(name));
    const created = await call("POST", "/schedules", { task: name, cron: "* * * * *", input: { url: upstream, key: name }, retry: { max_attempts: 1 }, catch_up: "skip" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await env.DB.prepare("update schedules set next_run_at = ? where id = ?").bind(T1, created.body.id).run();
    return { name, id: created.body.id as string };
  }

  async function outcome(name: string, id: string) {
    const executions = await env.DB.prepare("select id from executions where schedule_id = ?").bind(id).all();
    const runs = await env.DB.prepare("select slot, status, last_execution_id from schedule_runs where schedule_id = ? order by slot").bind(id).all<{ slot: string; status: string; last_execution_id: string | null }>();
    return { ran: await runsOf(name), recorded: executions.results.length, runs: runs.results };
  }

  /** A failing tick at T1, then ticks on healthy storage at T1+30 s (slot T1 still on time) and T1+60 s (the next slot). */
  async function failThenRecover(storage: FaultyStorage) {
    // A failure before any slot is claimed (the due lookups) fails the whole tick, as the Cron Trigger would see it.
    await tick(storage, T1).catch(() => undefined);
    storage.heal();
    await storageBack();
    await tick(storage, plus(T1, 30_000));
    await tick(storage, plus(T1, 60_000));
  }

  it("lists the storage steps of a tick: the due lookups, the claim, the version and bundle, the record, the run's bookkeeping", async () => {
    const { name } = await everyMinute();
    const storage = faultyStorage();
    await tick(storage, T1);
    const texts = storage.calls.map((c) => c.what);
    expect(texts.some((t) => /^update "schedules" .* ; insert into "schedule_runs"/.test(t))).toBe(true);
    expect(texts.some((t) => t.startsWith("get bundles/"))).toBe(true);
    expect(texts.some((t) => t.startsWith("insert into \"executions\""))).toBe(true);
    expect(texts.some((t) => t.startsWith("update \"schedule_runs\""))).toBe(true);
    expect(await runsOf(name)).toBe(1);
  });

  for (const when of ["before", "after"] as const) {
    it(`a storage failure ${when === "before" ? "at" : "just after"} each step of a tick: the schedule resumes and no slot runs twice`, async () => {
      const listed = await everyMinute();
      const probe = faultyStorage();
      await tick(probe, T1);
      expect(await runsOf(listed.name)).toBe(1);
      expect(probe.calls.length).toBeGreaterThanOrEqual(6);

      for (let index = 0; index < probe.calls.length; index++) {
        await env.DB.batch([env.DB.prepare("delete from schedules"), env.DB.prepare("delete from schedule_runs")]);
        const { name, id } = await everyMinute();
        const storage = faultyStorage([stepFault(probe.calls, index, when)]);
        await failThenRecover(storage);
        const step = `${when} step ${index}: ${probe.calls[index]!.what.slice(0, 120)}`;
        const seen = await outcome(name, id);
        // Each slot (T1, T1+60 s) has one run row at most, and the task ran once per slot at most, each run recorded.
        expect(new Set(seen.runs.map((r) => r.slot)).size, step).toBe(seen.runs.length);
        expect(seen.ran, step).toBeLessThanOrEqual(2);
        expect(seen.recorded, step).toBe(seen.ran);
        if (when === "before") {
          // Nothing was committed by the failed call: every slot runs, exactly once.
          expect(seen.ran, step).toBe(2);
          expect(seen.runs.map((r) => r.slot), step).toEqual([T1, plus(T1, 60_000)]);
        }
      }
    });
  }

  it("a record lost in a tick is not run again, and the next slots run once storage is back", async () => {
    const { name, id } = await everyMinute();
    const storage = faultyStorage([{ on: "d1", match: /insert into "executions"/, times: Infinity }]);
    await failThenRecover(storage);
    const seen = await outcome(name, id);
    expect(seen.ran).toBe(2);
    expect(seen.recorded).toBe(1);
    expect(seen.runs.map((r) => r.slot)).toEqual([T1, plus(T1, 60_000)]);
  });
});

describe("orphan bundle cleanup", () => {
  /** Ticks at minute CLEANUP_MINUTE of successive hours from `from` until `key` is gone, at most `bound` times; true when gone. */
  async function cleanUntilGone(key: string, from: number, bound: number): Promise<boolean> {
    for (let hour = 0; hour < bound; hour++) {
      const at = new Date(from + hour * 3_600_000);
      at.setUTCMinutes(CLEANUP_MINUTE, 0, 0);
      await tick(faultyStorage(), at.toISOString());
      if (!(await env.BUNDLES.head(key))) return true;
    }
    return false;
  }

  async function bundleCount(): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await env.BUNDLES.list({ prefix: "bundles/", ...(cursor ? { cursor } : {}) });
      count += page.objects.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return count;
  }

  beforeEach(async () => {
    await env.DB.batch([env.DB.prepare("delete from schedules"), env.DB.prepare("delete from schedule_runs")]);
  });

  it("removes the object of a deploy that failed half-way once it is older than the grace period, and keeps what versions use", async () => {
    const name = uniqueName("orphan");
    const document = hitting(`orphan ${name}`);
    const storage = faultyStorage([{ on: "d1", match: /^insert into "task_versions"/ }]);
    expect((await send(storage, "PUT", `/tasks/${name}`, document)).status).toBe(503);
    const put = storage.calls.find((c) => c.what.startsWith("put bundles/"))!;
    const orphan = put.what.slice("put ".length);
    const orphanObject = await env.BUNDLES.head(orphan);
    expect(orphanObject).not.toBeNull();

    const kept = uniqueName("kept");
    await deploy(kept, hitting(`kept ${kept}`));
    const keptKey = (await env.DB.prepare("select r2_key from task_versions where task_name = ?").bind(kept).first<{ r2_key: string }>())!.r2_key;

    // Within the grace period (the next cleanup minute is less than an hour away) the object stays: a deploy may be in flight.
    const soon = new Date(orphanObject!.uploaded.getTime());
    soon.setUTCMinutes(CLEANUP_MINUTE, 0, 0);
    if (soon.getTime() <= orphanObject!.uploaded.getTime()) soon.setTime(soon.getTime() + 3_600_000);
    expect(soon.getTime() - orphanObject!.uploaded.getTime()).toBeLessThan(ORPHAN_GRACE_MS);
    await tick(faultyStorage(), soon.toISOString());
    expect(await env.BUNDLES.head(orphan)).not.toBeNull();

    // Past it, the cleanup (bounded per tick: it walks the bucket over successive hours) removes it.
    expect(await cleanUntilGone(orphan, Date.now() + 2 * ORPHAN_GRACE_MS, Math.ceil((await bundleCount()) / 500) + 2)).toBe(true);
    expect(await env.BUNDLES.head(keptKey)).not.toBeNull();
    expect((await call("POST", `/run/${kept}`, { url: upstream, key: kept })).status).toBe(200);

    // The failed deploy, tried again, puts its object back.
    expect((await call("PUT", `/tasks/${name}`, document)).status).toBe(201);
    expect((await call("POST", `/run/${name}`, { url: upstream, key: name })).status).toBe(200);
  });
});
