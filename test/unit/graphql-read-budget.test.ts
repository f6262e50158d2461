import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { createContext, read } from "../../src/graphql/context.ts";
import { QUERY_LIMITS } from "../../src/graphql/limits.ts";
import { OPEN_PRINCIPAL } from "../../src/platform/access/principal.ts";
import type { Env } from "../../src/platform/env.ts";

// The budget counts reads as resolvers make them; no binding is touched here (each load is a plain promise).
describe("GraphQL read budget", () => {
  it("reads each key once per request and stops a request past QUERY_LIMITS.reads with query_limit", async () => {
    const ctx = createContext({} as Env, { waitUntil: () => undefined }, OPEN_PRINCIPAL);
    let loads = 0;
    const load = (value: number) => () => Promise.resolve((loads++, value));
    expect(await read(ctx, "same", load(1))).toBe(1);
    expect(await read(ctx, "same", load(2))).toBe(1);
    expect(loads).toBe(1);
    for (let i = 1; i < QUERY_LIMITS.reads; i++) await read(ctx, `key ${i}`, load(i));
    expect(loads).toBe(QUERY_LIMITS.reads);
    let refusal: unknown;
    try {
      await read(ctx, "one too many", load(0));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: "query_limit", limit: "reads", max: QUERY_LIMITS.reads });
    expect((refusal as GraphQLError).message).toContain("page through the rest");
    expect(await read(ctx, "same", load(3))).toBe(1);
  });
});
