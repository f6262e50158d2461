import type { Hono } from "hono";
import { generateSpecs, type GenerateSpecOptions } from "hono-openapi";
import pkg from "../../../package.json" with { type: "json" };
import type { AppEnv } from "../../http/app-env.ts";
import { componentSchemas } from "./schemas.ts";

/** Where the document is served, under the API prefix; and its URL (app.ts mounts the API at /api/v1). */
export const OPENAPI_PATH = "/openapi.json";
export const OPENAPI_URL = `/api/v1${OPENAPI_PATH}`;

type Schemas = NonNullable<NonNullable<GenerateSpecOptions["documentation"]["components"]>["schemas"]>;

const documentation = {
  info: {
    title: "Ratchet API",
    version: pkg.version,
    description:
      "Deploy, run and schedule Ratchet tasks. Every answer is JSON; every error is the error envelope. With access control on, send `Authorization: Bearer <token>`; each operation names the scope it needs (admin ⊃ deploy ⊃ execute ⊃ read).",
  },
  // Relative: "Try it" calls the origin that served the document.
  servers: [{ url: "/" }],
  tags: [
    { name: "tasks", description: "Deploy, inspect, roll back and test tasks" },
    { name: "executions", description: "Run tasks and read what they did" },
    { name: "schedules", description: "Cron schedules of tasks" },
    { name: "secrets", description: "Per-task secrets (names only are ever returned)" },
    { name: "tokens", description: "API tokens (admin)" },
    { name: "operations", description: "Health, metrics and this document" },
  ],
  components: {
    // Plain JSON Schemas; openapi-types wants each `type` as its narrow union.
    schemas: componentSchemas as Schemas,
    securitySchemes: {
      bearer: { type: "http" as const, scheme: "bearer", description: "An API token (`ratchet token create`) or the bootstrap RATCHET_API_TOKEN" },
    },
  },
};

const documents = new WeakMap<Hono<AppEnv>, Promise<unknown>>();

/**
 * The OpenAPI 3.1 document of `app`, generated from the descriptions resource() registers with each
 * route (describeRoute), so it lists exactly the routes served. Routes without one (/mcp, /graphql,
 * the dashboard, /docs) are other protocols or pages and stay out. Built once per app and isolate.
 */
export function openApiDocument(app: Hono<AppEnv>): Promise<unknown> {
  let document = documents.get(app);
  if (!document) {
    // excludeStaticFile off: it would drop /api/v1/openapi.json itself (a dot in the last segment).
    document = generateSpecs(app, { documentation, excludeStaticFile: false, defaultValidationErrorResponse: false });
    documents.set(app, document);
  }
  return document;
}
