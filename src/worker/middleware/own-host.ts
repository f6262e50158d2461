import type { MiddlewareHandler } from "hono";
import { noteOwnHost } from "../../platform/egress.ts";
import type { AppEnv } from "../../http/app-env.ts";

/** Remembers the host each request came to, so the egress guard refuses tasks calling this platform. */
export const rememberOwnHost: MiddlewareHandler<AppEnv> = async (c, next) => {
  noteOwnHost(c.req.url);
  await next();
};
