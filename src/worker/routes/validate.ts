import type { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../request.ts";
import { requireScope } from "../middleware/scope.ts";
import { resource } from "../resource.ts";
import { engineFor } from "../../platform/sandbox.ts";

/**
 * Checks a bundle with the same validator as deploy and the CLI; answers 200 either way, with every
 * problem. Needs only `read`: it changes nothing and runs no task (main.js is loaded with no input,
 * fetch refused and inspection limits, as MCP's read-only ratchet_validate_task_structure does).
 */
export function validateRoutes(app: Hono<AppEnv>): void {
  resource(app, "/validate", {
    POST: [
      requireScope("read"),
      async (c) => {
        const checked = await engineFor(c.env).loadDocument(await readJson(c));
        if (!checked.ok) return c.json({ valid: false, problems: checked.problems });
        return c.json({ valid: true, hash: checked.bundle.hash, warnings: checked.warnings });
      },
    ],
  });
}
