import type { Env } from "./env.ts";

/** Hono's environment for this app: the Worker bindings. */
export interface AppEnv {
  Bindings: Env;
}
