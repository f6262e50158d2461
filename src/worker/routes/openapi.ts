import type { Hono } from "hono";
import type { AppEnv } from "../../http/app-env.ts";
import { OPENAPI_PATH, openApiDocument } from "../openapi/document.ts";
import { resource } from "../resource.ts";

/**
 * GET /api/v1/openapi.json, open like /health: it describes the routes and reveals no data, and
 * clients (and /docs) need it before they hold a token. `app` is the whole app, whose routes it lists.
 */
export function openApiRoutes(api: Hono<AppEnv>, app: Hono<AppEnv>): void {
  resource(api, OPENAPI_PATH, {
    GET: {
      scope: null,
      doc: {
        tag: "operations",
        summary: "This OpenAPI 3.1 document",
        responses: { 200: { description: "The document", schema: { type: "object", required: ["openapi", "info", "paths"] } } },
      },
      handler: async (c) => c.json(await openApiDocument(app)),
    },
  });
}
