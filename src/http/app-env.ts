import type { Principal } from "../platform/access/principal.ts";
import type { Env } from "../platform/env.ts";

/** Hono's environment for this app: the Worker bindings, and who the request acts as (set by the authenticate middleware). */
export interface AppEnv {
  Bindings: Env;
  Variables: { principal: Principal };
}
