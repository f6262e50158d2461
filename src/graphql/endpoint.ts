/** Where GraphQL is served: its own module, so the route can name it without loading the server (yoga.ts). */
export const GRAPHQL_PATH = "/graphql";
