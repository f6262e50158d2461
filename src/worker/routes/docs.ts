import type { Context, Hono } from "hono";
import type { AppEnv } from "../../http/app-env.ts";
import { DOCS_CSP, DOCS_PATH, docsAssets, docsPage } from "../docs/swagger-ui.ts";
import { notFound } from "../errors.ts";
import { OPENAPI_URL } from "../openapi/document.ts";

const SECURITY_HEADERS = { "content-security-policy": DOCS_CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

/**
 * Interactive docs at /docs: open like the document they show (they hold no data; "Try it"
 * requests carry the token like any other). Every file is served from here, none from a CDN.
 */
export function docsRoutes(app: Hono<AppEnv>): void {
  // Built on first use: an isolate that never serves the docs never copies Swagger UI's 1.7 MB.
  let assets: ReturnType<typeof docsAssets> | undefined;
  app.get(DOCS_PATH, (c) => c.html(docsPage(), 200, SECURITY_HEADERS));
  app.get(`${DOCS_PATH}/:file`, (c: Context<AppEnv>) => {
    assets ??= docsAssets(OPENAPI_URL);
    const asset = assets[c.req.param("file") ?? ""];
    if (!asset) return notFound(c);
    return new Response(asset.body, { headers: { ...SECURITY_HEADERS, "content-type": asset.type, "cache-control": "public, max-age=3600" } });
  });
}
