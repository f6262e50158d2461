import type { Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { SCOPES } from "../../platform/access/principal.ts";
import { createToken, listTokens, revokeToken } from "../../platform/access/tokens.ts";
import { TASK_NAME } from "../../engine/index.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { requireUnlimited } from "../middleware/scope.ts";
import { schemaRef } from "../openapi/schemas.ts";
import { checkBody, readJson } from "../../http/request.ts";
import { resource } from "../resource.ts";

const tokenRequestSchema = {
  type: "object",
  required: ["name", "scopes"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 64, description: "Who or what holds the token, for lists and messages (e.g. ci)" },
    scopes: { type: "array", minItems: 1, uniqueItems: true, items: { enum: SCOPES }, description: "admin ⊃ deploy ⊃ execute ⊃ read" },
    tasks: {
      type: ["array", "null"],
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: "string", pattern: TASK_NAME.source },
      description: "The only tasks the token may touch; omitted or null: all",
    },
  },
} as const satisfies JSONSchema;
type TokenRequestBody = FromSchema<typeof tokenRequestSchema>;

/**
 * API tokens: admin only, and not for a task-limited admin (it could issue itself an unlimited
 * token). The token itself is in the 201 answer and nowhere else, ever.
 */
export function tokenRoutes(app: Hono<AppEnv>): void {
  app.use("/tokens", requireUnlimited("manage API tokens"));
  app.use("/tokens/*", requireUnlimited("manage API tokens"));
  resource(app, "/tokens", {
    GET: {
      scope: "admin",
      doc: {
        tag: "tokens",
        summary: "List API tokens",
        description: "Revoked ones too; never a token or its hash.",
        responses: { 200: { description: "The tokens", schema: { type: "object", required: ["tokens"], properties: { tokens: { type: "array", items: schemaRef("Token") } } } } },
      },
      handler: async (c) => c.json({ tokens: await listTokens(c.env) }),
    },
    POST: {
      scope: "admin",
      doc: {
        tag: "tokens",
        summary: "Create an API token",
        description: "The token is in this answer and nowhere else, ever: keep it.",
        body: { description: "Who holds it, its scopes, and the tasks it is limited to", schema: tokenRequestSchema },
        responses: {
          201: { description: "The token", schema: { allOf: [schemaRef("Token")], type: "object", required: ["token"], properties: { token: { type: "string" } } } },
          400: { description: "invalid_request: the body does not match the schema" },
        },
      },
      handler: async (c) => {
        const body = checkBody<TokenRequestBody>(tokenRequestSchema, await readJson(c), "The token request");
        const { id, name, token, scopes, tasks, created_at } = await createToken(c.env, body);
        return c.json({ id, name, token, scopes, tasks, created_at }, 201);
      },
    },
  });

  resource(app, "/tokens/:id", {
    DELETE: {
      scope: "admin",
      doc: {
        tag: "tokens",
        summary: "Revoke an API token",
        params: { id: { description: "The token's id (from the list)" } },
        responses: { 200: { description: "The revoked token", schema: { type: "object", required: ["revoked"], properties: { revoked: schemaRef("Token") } } }, 404: { description: "not_found: no token by that id" } },
      },
      handler: async (c) => c.json({ revoked: await revokeToken(c.env, c.req.param("id") ?? "") }),
    },
  });
}
