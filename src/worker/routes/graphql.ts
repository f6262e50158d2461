import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ASSETS_PATH, graphiqlAsset, graphiqlPage } from "../../graphql/graphiql.ts";
import { GRAPHQL_PATH } from "../../graphql/endpoint.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { bundledTasks } from "../middleware/bundled-tasks.ts";
import { errorEnvelope, notFound } from "../errors.ts";
import { authenticate } from "../middleware/auth.ts";
import { limitRate } from "../middleware/rate-limit.ts";

/** A deployTask mutation carries a whole bundle: the same 10 MiB PUT /api/v1/tasks/{name} allows. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json(errorEnvelope("payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes`, { max_bytes: MAX_BODY_BYTES }), 413),
});

/**
 * Yoga also reads POSTs of forms and plain text, which any web page can send cross-site without a
 * preflight (to an open local server, say); GraphQL here is JSON (application/json, or Yoga's
 * application/graphql+json and application/graphql, which browsers do not send cross-site unasked).
 */
const CROSS_SITE_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;
const refuseFormPosts: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== "POST" || !CROSS_SITE_TYPES.test(c.req.header("Content-Type") ?? "")) return next();
  return c.json(errorEnvelope("unsupported_media_type", "Send GraphQL requests as application/json: {\"query\": \"…\", \"variables\": {…}}"), 415);
};

/**
 * The GraphQL server (graphql-js, Yoga, the schema it builds) loads on the first GraphQL request,
 * not with the isolate: esbuild, bundling for wrangler, keeps what only `import()` reaches in an
 * init function that runs at that call, so a fresh isolate serving REST never evaluates it.
 */
const loadServer = () => Promise.all([import("../../graphql/yoga.ts"), import("../../graphql/context.ts")]);

/** A browser opening /graphql (not a GET query, which carries ?query=). */
const wantsGraphiQL = (c: Context) => c.req.method === "GET" && c.req.query("query") === undefined && (c.req.header("Accept") ?? "").includes("text/html");

/**
 * GraphQL at /graphql over the platform services the REST routes use, behind the same
 * authentication and rate limits as /mcp; each resolver asks the principal for its scope. GraphiQL
 * (page and assets) is open: it holds no data, and its requests carry the token like any other.
 */
export function graphqlRoutes(app: Hono<AppEnv>): void {
  app.get(`${ASSETS_PATH}/:file`, async (c) => (await graphiqlAsset(c.req.param("file"))) ?? notFound(c));
  app.use(GRAPHQL_PATH, async (c, next) => (wantsGraphiQL(c) ? c.html(graphiqlPage(GRAPHQL_PATH)) : next()));
  app.use(GRAPHQL_PATH, refuseFormPosts, authenticate, limitRate, limitBody, bundledTasks);
  app.all(GRAPHQL_PATH, async (c) => {
    const [{ graphqlServer }, { createContext }] = await loadServer();
    const principal = c.get("principal");
    return graphqlServer(principal.kind !== "open").fetch(c.req.raw, createContext(c.env, c.executionCtx, principal));
  });
}
