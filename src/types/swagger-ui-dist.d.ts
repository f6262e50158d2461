/** Swagger UI's files, imported as their text (wrangler's Text rule, the serve build's and the test config's loaders) for /docs. */
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const text: string;
  export default text;
}
declare module "swagger-ui-dist/swagger-ui.css" {
  const text: string;
  export default text;
}
