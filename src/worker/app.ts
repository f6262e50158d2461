import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { bundledTasks } from "./middleware/bundled-tasks.ts";
import { notFound, renderError } from "./errors.ts";
import { authenticate } from "./middleware/auth.ts";
import { limitBodySize } from "./middleware/body-size.ts";
import { refuseCrossSite } from "./middleware/cross-site.ts";
import { rememberOwnHost } from "./middleware/own-host.ts";
import { resource } from "./resource.ts";
import { executionRoutes } from "./routes/executions.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoute } from "./routes/health.ts";
import { graphqlRoutes } from "./routes/graphql.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { metricsRoute } from "./routes/metrics.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { runRoutes } from "./routes/run.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { secretRoutes } from "./routes/secrets.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { validateRoutes } from "./routes/validate.ts";
import { createDashboard } from "../ui/dashboard.tsx";

/**
 * The HTTP API under /api/v1, with /health and /metrics at the root too, and MCP at /mcp: health is
 * open, as are the OpenAPI document (/api/v1/openapi.json) and its docs (/docs); everything else needs a
 * principal (authenticate) and each route the scope its table names (resource()).
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const api = new Hono<AppEnv>();
  api.onError(renderError);
  api.notFound(notFound);
  resource(api, "/health", { GET: healthRoute });
  openApiRoutes(api, app);
  api.use("*", authenticate, limitBodySize, bundledTasks);
  resource(api, "/metrics", { GET: metricsRoute });
  taskRoutes(api);
  runRoutes(api);
  executionRoutes(api);
  validateRoutes(api);
  scheduleRoutes(api);
  secretRoutes(api);
  tokenRoutes(api);

  app.onError(renderError);
  app.notFound(notFound);
  app.use("*", rememberOwnHost, refuseCrossSite);
  resource(app, "/health", { GET: healthRoute });
  // Where Prometheus and the guide look for it; behind the token like the API's own.
  app.use("/metrics", authenticate);
  resource(app, "/metrics", { GET: metricsRoute });
  mcpRoutes(app);
  graphqlRoutes(app);
  // Swagger UI over the OpenAPI document, every asset served from here.
  docsRoutes(app);
  app.route("/api/v1", api);
  // The dashboard's pages (src/ui), each guarded by its own session and scope check.
  app.route("/", createDashboard());
  return app;
}
