import bundle from "swagger-ui-dist/swagger-ui-bundle.js";
import style from "swagger-ui-dist/swagger-ui.css";

/** Where the page and its files are served. */
export const DOCS_PATH = "/docs";

/**
 * Swagger UI over the API's OpenAPI document. The token given to "Authorize" stays in the page's
 * memory (persistAuthorization off: not in localStorage); "Try it" calls this origin (the document's
 * server is "/"); the validator badge, which would send the document to validator.swagger.io, is off.
 */
const init = (documentUrl: string) => `window.ui = SwaggerUIBundle(${JSON.stringify({
  url: documentUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
  displayRequestDuration: true,
  tryItOutEnabled: false,
})});
`;

/**
 * The page's only sources are this Worker's files: scripts and styles from 'self', no inline
 * script; images from 'self' and the data: URLs Swagger UI's stylesheet carries its icons in.
 */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function docsPage(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Ratchet API</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
  </head>
  <body>
    <noscript>These docs need JavaScript; the OpenAPI document itself is at /api/v1/openapi.json.</noscript>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;
}

const JS = "text/javascript; charset=utf-8";

/** The page's files by name: Swagger UI's (without their source-map comment: no map is served) and the script that starts it. */
export function docsAssets(documentUrl: string): Record<string, { body: string; type: string }> {
  return {
    "swagger-ui-bundle.js": { body: withoutSourceMap(bundle), type: JS },
    "swagger-ui.css": { body: withoutSourceMap(style), type: "text/css; charset=utf-8" },
    "init.js": { body: init(documentUrl), type: JS },
  };
}

const withoutSourceMap = (text: string) => text.replace(/\n?\/[/*]# sourceMappingURL=\S+(?: \*\/)?\s*$/, "\n");
