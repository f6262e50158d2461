import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { MAX_SECRET_BYTES } from "../../engine/index.ts";
import { deleteTaskSecret, listTaskSecrets, putTaskSecret } from "../../platform/secrets/task-secrets.ts";
import { requireTask } from "../../platform/task-ops.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { checkBody, readJson, taskName } from "../../http/request.ts";
import { resource } from "../resource.ts";

const secretBodySchema = {
  type: "object",
  required: ["value"],
  additionalProperties: false,
  properties: { value: { type: "string", minLength: 1, maxLength: MAX_SECRET_BYTES, description: "The secret's value; never returned by any route" } },
} as const satisfies JSONSchema;
type SecretBody = FromSchema<typeof secretBodySchema>;

/** The task of the path, which must exist: secrets belong to a deployed task. */
async function existingTask(c: Context<AppEnv>): Promise<string> {
  const name = taskName(c);
  await requireTask(c.env, name);
  return name;
}

const secretParam = { key: { description: "The secret's name, as the task reads it from context.secrets" } };

/** A task's secrets: written, listed and deleted by name; no route ever returns a value. Managing secrets is deploying: the 'deploy' scope. */
export function secretRoutes(app: Hono<AppEnv>): void {
  resource(app, "/tasks/:name/secrets", {
    GET: {
      scope: "deploy",
      doc: {
        tag: "secrets",
        summary: "List a task's secrets",
        description: "Names and times only, never a value.",
        responses: {
          200: {
            description: "The secrets",
            schema: {
              type: "object",
              required: ["task", "secrets"],
              properties: { task: { type: "string" }, secrets: { type: "array", items: { type: "object", required: ["name"], properties: { name: { type: "string" }, created_at: { type: "string" }, updated_at: { type: "string" } } } } },
            },
          },
          404: { description: "not_found: no task by that name" },
        },
      },
      handler: async (c) => {
        const task = await existingTask(c);
        const rows = await listTaskSecrets(c.env, task);
        return c.json({ task, secrets: rows.map((row) => ({ name: row.name, created_at: row.createdAt, updated_at: row.updatedAt })) });
      },
    },
  });

  const written = { type: "object", required: ["task", "name", "outcome"], properties: { task: { type: "string" }, name: { type: "string" }, outcome: { enum: ["created", "updated"] } } };
  resource(app, "/tasks/:name/secrets/:key", {
    PUT: {
      scope: "deploy",
      doc: {
        tag: "secrets",
        summary: "Set a secret",
        description: "Encrypted at rest (AES-256-GCM); the task's next runs see it in context.secrets.",
        params: secretParam,
        body: { description: "The value", schema: secretBodySchema },
        responses: {
          200: { description: "updated", schema: written },
          201: { description: "created", schema: written },
          400: { description: "invalid_request or invalid_secret: the body, or the secret's name or size, is not valid" },
          404: { description: "not_found: no task by that name" },
        },
      },
      handler: async (c) => {
        const task = await existingTask(c);
        const name = c.req.param("key") ?? "";
        const { value } = checkBody<SecretBody>(secretBodySchema, await readJson(c), "The secret");
        const { created } = await putTaskSecret(c.env, task, name, value);
        return c.json({ task, name, outcome: created ? "created" : "updated" }, created ? 201 : 200);
      },
    },
    DELETE: {
      scope: "deploy",
      doc: {
        tag: "secrets",
        summary: "Delete a secret",
        params: secretParam,
        responses: {
          200: { description: "Deleted", schema: { type: "object", required: ["task", "deleted"], properties: { task: { type: "string" }, deleted: { type: "string" } } } },
          404: { description: "not_found: no task by that name, or no secret by that name" },
        },
      },
      handler: async (c) => {
        const task = await existingTask(c);
        const name = c.req.param("key") ?? "";
        await deleteTaskSecret(c.env, task, name);
        return c.json({ task, deleted: name });
      },
    },
  });
}
