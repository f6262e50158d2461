import { createSchema, createYoga, type YogaServerInstance } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";
import { GRAPHQL_PATH } from "./endpoint.ts";
import { documentErrorCodes } from "./document-errors.ts";
import { maskError } from "./errors.ts";
import { JSONScalar } from "./json-scalar.ts";
import { armor } from "./limits.ts";
import { executeResolvers } from "./resolvers/execute.ts";
import { executionResolvers } from "./resolvers/executions.ts";
import { scheduleResolvers } from "./resolvers/schedules.ts";
import { taskResolvers } from "./resolvers/tasks.ts";
import { typeDefs } from "./schema.ts";


const schema = createSchema<GraphQLContext>({
  typeDefs,
  resolvers: [{ JSON: JSONScalar }, taskResolvers, executionResolvers, scheduleResolvers, executeResolvers],
});

// Yoga adds no context of its own here: resolvers get GraphQLContext as the route builds it.
type Server = YogaServerInstance<GraphQLContext, {}>;

function createServer(blockSuggestions: boolean): Server {
  return createYoga<GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // The Worker serves its own GraphiQL page (graphiql.ts); Yoga's would load it from a CDN.
    graphiql: false,
    landingPage: false,
    // Same origin only, as the REST API: Yoga would otherwise answer any site's preflight, letting a
    // page in the browser of someone running an open local server send it mutations.
    cors: false,
    maskedErrors: { maskError },
    // Yoga would log every refusal a resolver throws as an error; maskError logs the real incidents.
    logging: false,
    plugins: [armor(blockSuggestions), documentErrorCodes],
  });
}

/** Built once per isolate for each setting of access control (schema and plugins are per server, requests are not). */
const servers = new Map<boolean, Server>();

/** The Yoga server; `accessControlled` blocks field suggestions. */
export function graphqlServer(accessControlled: boolean): Server {
  let server = servers.get(accessControlled);
  if (!server) servers.set(accessControlled, (server = createServer(accessControlled)));
  return server;
}
