import type { Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { SCOPES } from "../../platform/access/principal.ts";
import { createToken, listTokens, revokeToken } from "../../platform/access/tokens.ts";
import { TASK_NAME } from "../../engine/index.ts";
import type { AppEnv } from "../app-env.ts";
import { requireScope, requireUnlimited } from "../middleware/scope.ts";
import { checkBody, readJson } from "../request.ts";
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
    GET: [requireScope("admin"), async (c) => c.json({ tokens: await listTokens(c.env) })],
    POST: [
      requireScope("admin"),
      async (c) => {
        const body = checkBody<TokenRequestBody>(tokenRequestSchema, await readJson(c), "The token request");
        const { id, name, token, scopes, tasks, created_at } = await createToken(c.env, body);
        return c.json({ id, name, token, scopes, tasks, created_at }, 201);
      },
    ],
  });

  resource(app, "/tokens/:id", {
    DELETE: [requireScope("admin"), async (c) => c.json({ revoked: await revokeToken(c.env, c.req.param("id") ?? "") })],
  });
}
