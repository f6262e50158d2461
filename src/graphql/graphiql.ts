/**
 * GraphiQL, served by the Worker with nothing from a CDN. @graphql-yoga/render-graphiql carries
 * the whole app as strings (script, CSS, Monaco's three web workers, a favicon data URL: 9 MB);
 * its own renderer would inline all of it into every page, so the page here is small and the
 * assets are separate, cacheable files under ASSETS_PATH, read from the package's module on request.
 */
export const ASSETS_PATH = "/graphql/graphiql";

/** Monaco asks for a web worker by label; each is one of the package's strings. */
const WORKERS = { editorWorkerService: "editor.worker.js", json: "json.worker.js", graphql: "graphql.worker.js" } as const;

const EXAMPLE = `# With access control on, add under Headers:
# {"Authorization": "Bearer <token>"}
{
  tasks(first: 10) {
    nodes { name current_version { version } }
    pageInfo { endCursor hasNextPage }
  }
  executions(first: 5) {
    nodes { id task status started_at duration_ms }
  }
}
`;

export function graphiqlPage(endpoint: string): string {
  const options = { endpoint, title: "Ratchet GraphQL", defaultQuery: EXAMPLE };
  // `<` is escaped so the JSON cannot close the script element.
  const json = (value: unknown) => JSON.stringify(value).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Ratchet GraphQL</title>
    <link rel="icon" href="${ASSETS_PATH}/favicon.ico" />
    <link rel="stylesheet" href="${ASSETS_PATH}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript. Without it, POST queries to ${endpoint} (see the README).</noscript>
    <div id="root"></div>
    <script>
      const workers = ${json(Object.fromEntries(Object.entries(WORKERS).map(([label, file]) => [label, `${ASSETS_PATH}/${file}`])))};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_, label) => workers[label] };
    </script>
    <script src="${ASSETS_PATH}/graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"), ${json(options)});
    </script>
  </body>
</html>
`;
}

const JS = "text/javascript; charset=utf-8";
type Export = "js" | "css" | "editorWorkerService" | "jsonWorker" | "graphqlWorker" | "favicon";

/** Each file: the package export holding it, and its content type. */
const ASSETS: Record<string, [Export, string]> = {
  "graphiql.js": ["js", JS],
  "graphiql.css": ["css", "text/css; charset=utf-8"],
  [WORKERS.editorWorkerService]: ["editorWorkerService", JS],
  [WORKERS.json]: ["jsonWorker", JS],
  [WORKERS.graphql]: ["graphqlWorker", JS],
  "favicon.ico": ["favicon", "image/x-icon"],
};

/**
 * The package's module (`export const js = "…";` and so on) as its bytes: wrangler.toml's Data
 * rule (mirrored by scripts/build/worker.ts and vitest.config.ts) keeps it out of the compiled
 * script, where V8 would scan its 9 MB at every cold start.
 */
async function packageSource(): Promise<string> {
  const module = (await import("@graphql-yoga/render-graphiql/graphiql")) as unknown as { default?: unknown };
  if (!(module.default instanceof ArrayBuffer)) {
    throw new Error("@graphql-yoga/render-graphiql/graphiql must be imported as a Data module (wrangler.toml's Data rule, mirrored by scripts/build/worker.ts and vitest.config.ts)");
  }
  return new TextDecoder().decode(module.default);
}

/** One export's string, read from the module's text: each is a JSON-compatible string literal. */
function exported(source: string, name: Export): string {
  const start = source.indexOf(`export const ${name} = "`);
  const end = start < 0 ? -1 : source.indexOf(`";\n`, start);
  if (end < 0) throw new Error(`@graphql-yoga/render-graphiql/graphiql no longer exports ${name} as a string literal`);
  return JSON.parse(source.slice(source.indexOf('"', start), end + 1)) as string;
}

/** One asset by file name, or undefined when there is no such file. Decoded per request: nothing stays in the isolate's memory but the module. */
export async function graphiqlAsset(file: string): Promise<Response | undefined> {
  if (!Object.hasOwn(ASSETS, file)) return undefined;
  const [name, type] = ASSETS[file]!;
  const text = exported(await packageSource(), name);
  const body = name === "favicon" ? fromDataUrl(text) : text;
  // The files change only with the installed package, that is with a deploy; a day's cache spares the 9 MB.
  return new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}

/** The favicon ships as a base64 data URL; served as its bytes. */
function fromDataUrl(url: string): Uint8Array<ArrayBuffer> {
  const match = /^data:image\/x-icon;base64,(.*)$/s.exec(url);
  if (!match) throw new Error("@graphql-yoga/render-graphiql's favicon is no longer a base64 x-icon data URL");
  return Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0));
}
