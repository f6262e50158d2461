import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../http/app-env.ts";
import { errorEnvelope } from "../errors.ts";

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

/**
 * Refuses a state-changing request a browser says comes from another site. A web page can send a
 * form or text/plain POST anywhere without a preflight, and an open local `ratchet serve` trusts every
 * request; browsers mark such requests with Origin or Sec-Fetch-Site. Clients that are not browsers
 * (the CLI, curl, MCP clients) send neither and pass, whatever their body's content type.
 */
export const refuseCrossSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHOD.test(c.req.method)) return next();
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  const crossSite = origin !== undefined ? origin !== new URL(c.req.url).origin : site !== undefined && site !== "same-origin" && site !== "none";
  if (!crossSite) return next();
  const from = origin ?? `a ${site} page`;
  const message = `${c.req.method} ${c.req.path} came from ${from}, another site than this Ratchet; browsers may change things here only from its own pages (the dashboard at /)`;
  return c.json(errorEnvelope("cross_site_request", message, { origin: origin ?? null, sec_fetch_site: site ?? null }), 403);
};
