import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { bundledTasks } from "./bundled-tasks.ts";
import { notFound, renderError } from "./errors.ts";
import { authenticate } from "./middleware/auth.ts";
import { limitBodySize } from "./middleware/body-size.ts";
import { limitRate } from "./middleware/rate-limit.ts";
import { rememberOwnHost } from "./middleware/own-host.ts";
import { requireScope } from "./middleware/scope.ts";
import { resource } from "./resource.ts";
import { executionRoutes } from "./routes/executions.ts";
import { health } from "./routes/health.ts";
import { graphqlRoutes } from "./routes/graphql.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { metrics } from "./routes/metrics.ts";
import { runRoutes } from "./routes/run.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { secretRoutes } from "./routes/secrets.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { validateRoutes } from "./routes/validate.ts";
import { createDashboard } from "../ui/dashboard.tsx";

/**
 * The HTTP API under /api/v1, with /health and /metrics at the root too, and MCP at /mcp: health is
 * open; everything else needs a principal (authenticate) and each route the scope it names (requireScope).
 */
export function createApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.onError(renderError);
  api.notFound(notFound);
  resource(api, "/health", { GET: health });
  api.use("*", authenticate, limitBodySize, bundledTasks);
  // Every route that runs a task; /mcp has the same limits (routes/mcp.ts).
  api.on("POST", ["/run/:name", "/tasks/:name/execute", "/tasks/:name/test", "/schedules/:id/trigger"], limitRate);
  resource(api, "/metrics", { GET: [requireScope("read"), metrics] });
  taskRoutes(api);
  runRoutes(api);
  executionRoutes(api);
  validateRoutes(api);
  scheduleRoutes(api);
  secretRoutes(api);
  tokenRoutes(api);

  const app = new Hono<AppEnv>();
  app.onError(renderError);
  app.notFound(notFound);
  app.use("*", rememberOwnHost);
  resource(app, "/health", { GET: health });
  // Where Prometheus and the guide look for it; behind the token like the API's own.
  app.use("/metrics", authenticate);
  resource(app, "/metrics", { GET: [requireScope("read"), metrics] });
  mcpRoutes(app);
  graphqlRoutes(app);
  app.route("/api/v1", api);
  // The dashboard's pages (src/ui), each guarded by its own session and scope check.
  app.route("/", createDashboard());
  return app;
}
