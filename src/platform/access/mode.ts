import type { Env } from "../env.ts";

/**
 * token: RATCHET_API_TOKEN is set, every request needs a token. open: no token and RATCHET_ACCESS="open"
 * (local serve and tests). closed: neither, which is how a Worker deploys by default, so a deployment
 * someone forgot to configure refuses everyone instead of running open.
 */
export type AccessMode = "token" | "open" | "closed";

export function accessMode(env: Pick<Env, "RATCHET_API_TOKEN" | "RATCHET_ACCESS">): AccessMode {
  if (env.RATCHET_API_TOKEN) return "token";
  return env.RATCHET_ACCESS === "open" ? "open" : "closed";
}
