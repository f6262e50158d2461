import type { Context, Hono } from "hono";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { MAX_SECRET_BYTES } from "../../engine/index.ts";
import { deleteTaskSecret, listTaskSecrets, putTaskSecret } from "../../platform/secrets/task-secrets.ts";
import { requireTask } from "../../platform/task-ops.ts";
import type { AppEnv } from "../app-env.ts";
import { requireScope } from "../middleware/scope.ts";
import { checkBody, readJson, taskName } from "../request.ts";
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

/** A task's secrets: written, listed and deleted by name; no route ever returns a value. */
export function secretRoutes(app: Hono<AppEnv>): void {
  // Managing secrets is deploying: the 'deploy' scope, for the tasks a token may touch, names included.
  app.use("/tasks/:name/secrets", requireScope("deploy"));
  app.use("/tasks/:name/secrets/:key", requireScope("deploy"));
  resource(app, "/tasks/:name/secrets", {
    GET: async (c) => {
      const task = await existingTask(c);
      const rows = await listTaskSecrets(c.env, task);
      return c.json({ task, secrets: rows.map((row) => ({ name: row.name, created_at: row.createdAt, updated_at: row.updatedAt })) });
    },
  });

  resource(app, "/tasks/:name/secrets/:key", {
    PUT: async (c) => {
      const task = await existingTask(c);
      const name = c.req.param("key") ?? "";
      const { value } = checkBody<SecretBody>(secretBodySchema, await readJson(c), "The secret");
      const { created } = await putTaskSecret(c.env, task, name, value);
      return c.json({ task, name, outcome: created ? "created" : "updated" }, created ? 201 : 200);
    },
    DELETE: async (c) => {
      const task = await existingTask(c);
      const name = c.req.param("key") ?? "";
      await deleteTaskSecret(c.env, task, name);
      return c.json({ task, deleted: name });
    },
  });
}
