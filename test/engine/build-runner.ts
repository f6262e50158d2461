import { expect } from "vitest";
import type { Engine, EngineOptions, ExecuteRequest, ExecutionResult } from "../../src/engine/index.ts";

export type Build = "sync" | "asyncify";
export const BUILDS: Build[] = ["sync", "asyncify"];

/** Fetches that send an execution on to asyncify: one more than the sync build answers by repeating runs. */
const FETCHES_TO_ASYNCIFY = 4;

/**
 * Runs a guest function on a chosen QuickJS build. Each build gets its own engine; on
 * asyncify the task first makes the fetches that send an execution there, and the runner
 * checks that it did go there (and that the sync runs did not).
 */
export function buildRunner(makeEngine: (options?: Omit<EngineOptions, "wasm">) => Engine, upstream: () => string) {
  const engines: Record<Build, Engine> = { sync: makeEngine(), asyncify: makeEngine() };
  return async function runOn(build: Build, fnSource: string, input: Record<string, unknown> = {}, request: Partial<ExecuteRequest> = {}): Promise<ExecutionResult> {
    const engine = engines[build];
    const code = `(function(input, context) {
      for (var i = 0; i < input.warmups; i++) fetch(input.url + "/json?warmup=" + i);
      return (${fnSource})(input, context);
    })`;
    const loaded = await engine.loadDocument({
      format: "ratchet.bundle/1",
      metadata: { uuid: "6f1c1a52-3c1e-4a57-9a43-2d6d0d3c1c02", version: "1.0.0", label: "build runner" },
      code,
      input_schema: {},
      output_schema: {},
      tests: [],
    });
    if (!loaded.ok) throw new Error(`bundle invalid: ${JSON.stringify(loaded.problems)}`);
    const result = await engine.execute(loaded.bundle, {
      input: { url: upstream(), warmups: build === "asyncify" ? FETCHES_TO_ASYNCIFY : 0, ...input },
      trigger: "test",
      fetch: (r) => fetch(r),
      ...request,
    });
    expect(engine.poolStats().asyncify.created > 0, `ran on ${build}`).toBe(build === "asyncify");
    return result;
  };
}
