import type { Hono } from "hono";
import { bundleDocumentSchema } from "../../engine/index.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { readJson } from "../../http/request.ts";
import { schemaRef } from "../openapi/schemas.ts";
import { resource } from "../resource.ts";
import { engineFor } from "../../platform/sandbox.ts";

/**
 * Checks a bundle with the same validator as deploy and the CLI; answers 200 either way, with every
 * problem. Needs only `read`: it changes nothing and runs no task (main.js is loaded with no input,
 * fetch refused and inspection limits, as MCP's read-only ratchet_validate_task_structure does).
 */
export function validateRoutes(app: Hono<AppEnv>): void {
  resource(app, "/validate", {
    POST: {
      scope: "read",
      doc: {
        tag: "tasks",
        summary: "Validate a bundle",
        description: "Checks a bundle as deploy would, and changes nothing; 200 either way, with every problem.",
        body: { description: "The bundle document", schema: bundleDocumentSchema },
        responses: {
          200: {
            description: "valid, with the bundle's hash and warnings; or not, with every problem (file, line and message)",
            schema: { type: "object", required: ["valid"], properties: { valid: { type: "boolean" }, hash: { type: "string" }, warnings: schemaRef("Problems"), problems: schemaRef("Problems") } },
          },
        },
      },
      handler: async (c) => {
        const checked = await engineFor(c.env).loadDocument(await readJson(c));
        if (!checked.ok) return c.json({ valid: false, problems: checked.problems });
        return c.json({ valid: true, hash: checked.bundle.hash, warnings: checked.warnings });
      },
    },
  });
}
