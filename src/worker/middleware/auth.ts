import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../app-env.ts";
import { errorEnvelope } from "../errors.ts";

/** When RATCHET_API_TOKEN is set, requests must carry `Authorization: Bearer <token>`. */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.env.RATCHET_API_TOKEN;
  if (!token) return next();
  const header = c.req.header("Authorization") ?? "";
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  if (given !== undefined && (await timingSafeEqual(given, token))) return next();
  c.header("WWW-Authenticate", 'Bearer realm="ratchet"');
  const message = given === undefined ? "This API needs Authorization: Bearer <token>" : "The bearer token is not valid";
  return c.json(errorEnvelope("unauthorized", message), 401);
};
