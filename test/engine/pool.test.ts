import { describe, expect, inject, it } from "vitest";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import type { Engine, ExecutionResult } from "../../src/engine/index.ts";

const platformFetch = (request: Request) => fetch(request);

/** A task whose slow fifth fetch waits on asyncify: four quick ones use up the runs the sync build gets. */
async function slowTask(engine: Engine): Promise<(ms: number) => Promise<ExecutionResult>> {
  const loaded = await engine.loadDocument({
    format: "ratchet.bundle/1",
    metadata: { uuid: "1d5e2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b", version: "1.0.0", label: "slow" },
    code: "(function(input) { for (var i = 0; i < 4; i++) fetch(input.url + '/json?id=' + i); return fetch(input.url + '/slow?ms=' + input.ms).body.overlap; })",
    input_schema: {},
    output_schema: {},
    tests: [],
  });
  if (!loaded.ok) throw new Error("invalid");
  return (ms) => engine.execute(loaded.bundle, { input: { url: inject("upstreamUrl"), ms }, trigger: "test", fetch: platformFetch });
}

describe("sandbox pool", () => {
  it("queues executions beyond the pool size, then refuses with SandboxBusyError past the wait, and recovers", async () => {
    const engine = createLocalEngine({ poolSize: 2, maxPoolWaitMs: 100 });
    const run = await slowTask(engine);

    // Both instances made first, so the waits below are runs, not instantiation.
    expect((await Promise.all([run(1), run(1)])).map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(engine.poolStats().asyncify).toMatchObject({ live: 2, created: 2 });
    // Three short runs on two instances: the third waits for a free one and completes.
    const short = await Promise.all([run(30), run(30), run(30)]);
    expect(short.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);

    // Two long runs hold both instances longer than the third may wait.
    const results = await Promise.all([run(600), run(600), run(10)]);
    expect(results.map((r) => r.status)).toEqual(["completed", "completed", "failed"]);
    expect(results[2]!.error).toMatchObject({ type: "SandboxBusyError" });
    expect(results[2]!.error!.message).toMatch(/2 sandbox instances stayed busy for 100 ms/);
    expect(engine.poolStats().asyncify).toMatchObject({ live: 2, busy: 0, waiting: 0 });
    expect((await run(10)).status).toBe("completed");
  });

  it("makes no more asyncify instances than the memory budget holds, and queues the rest", async () => {
    const MiB = 1024 * 1024;
    // 16 MiB for the sync instance, 32 MiB left: two asyncify instances of 16 MiB.
    const budgeted = createLocalEngine({ poolSize: 8, memoryBudgetBytes: 48 * MiB });
    const run = await slowTask(budgeted);
    const runs = await Promise.all(Array.from({ length: 5 }, () => run(150)));
    expect(runs.map((r) => r.status)).toEqual(Array(5).fill("completed"));
    const stats = budgeted.poolStats();
    expect(stats.asyncify.live).toBe(2);
    expect(stats.asyncify.memoryBytes).toBe(32 * MiB);
    expect(stats.sync.live).toBe(1);
  });
});
