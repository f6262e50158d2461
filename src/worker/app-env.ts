import type { Env } from "../platform/env.ts";

/** Hono's environment for this app: the Worker bindings. */
export interface AppEnv {
  Bindings: Env;
}
