import type { DescribeRouteOptions } from "hono-openapi";
import { TASK_NAME, TASK_NAME_RULE } from "../../engine/index.ts";
import type { Scope } from "../../platform/access/principal.ts";
import { schemaRef, type SchemaName } from "./schemas.ts";

/** One answer a route gives: JSON of a schema (a component's name or a schema object), or other content. */
export interface ResponseDoc {
  description: string;
  /** A component of ./schemas.ts, or a JSON Schema for the body; omitted: the error envelope (for 4xx/5xx). */
  schema?: SchemaName | object;
  /** Defaults to application/json. */
  mediaType?: string;
}

export interface ParameterDoc {
  description: string;
  schema?: object;
  required?: boolean;
}

/**
 * What the OpenAPI document says about one route, declared beside its handler (resource()).
 * Statuses that follow from how the route is registered are added by `operationFor`: 401 and 403
 * from its scope, 400 and 413 from its body, 400 from a task name in the path, 429 from its rate limit.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: string;
  /** Path parameters other than `:name` (a task name, described once here). */
  params?: Record<string, ParameterDoc>;
  query?: Record<string, ParameterDoc>;
  /** The request body: the same JSON Schema object the handler checks it with. */
  body?: { description: string; schema: object };
  responses: Record<number, ResponseDoc>;
}

/** How a route is guarded, as resource() registers it: what the document derives statuses from. */
export interface Guarding {
  scope: Scope | null;
  rateLimited: boolean;
}

const TASK_NAME_PARAM: ParameterDoc = { description: `The task's name: ${TASK_NAME_RULE}`, schema: { type: "string", pattern: TASK_NAME.source } };

const content = (response: ResponseDoc, status: number) => {
  const schema = response.schema ?? (status >= 400 ? "Error" : undefined);
  if (schema === undefined) return undefined;
  return { [response.mediaType ?? "application/json"]: { schema: typeof schema === "string" ? schemaRef(schema as SchemaName) : schema } };
};

/** The statuses a route gives because of how it is registered, beside those its doc declares. */
function derivedResponses(path: string, doc: RouteDoc, guarding: Guarding): Record<number, string[]> {
  const derived: Record<number, string[]> = {};
  const add = (status: number, description: string) => (derived[status] ??= []).push(description);
  if (path.includes(":name")) add(400, "invalid_name: the task name in the path is not valid");
  if (doc.body) {
    add(400, "invalid_json: the body is empty, not JSON, or nested too deeply");
    add(413, "payload_too_large: the body is larger than this route accepts");
  }
  if (guarding.scope !== null) {
    add(401, "No token, or an unknown or revoked one (when access control is on)");
    // Every token holds 'read'; a read route refuses only a task-limited token another task's name.
    if (guarding.scope !== "read") add(403, `forbidden: the token lacks the '${guarding.scope}' scope, or may not touch this task`);
    else if (path.includes(":name")) add(403, "forbidden: the token is limited to other tasks");
  }
  if (guarding.rateLimited) add(429, "rate_limited: over the per-client or per-token limit; Retry-After says when to try again");
  return derived;
}

/** The OpenAPI operation for one route: its doc, its security and scope, and every status it can give. */
export function operationFor(path: string, doc: RouteDoc, guarding: Guarding): DescribeRouteOptions {
  const responses: Record<string, { description: string; content?: Record<string, { schema: object }> }> = {};
  for (const [key, response] of Object.entries(doc.responses)) {
    const status = Number(key);
    responses[key] = { description: response.description, ...(content(response, status) ? { content: content(response, status)! } : {}) };
  }
  for (const [key, descriptions] of Object.entries(derivedResponses(path, doc, guarding))) {
    const declared = responses[key];
    const description = [declared?.description, ...descriptions].filter(Boolean).join("; or ");
    responses[key] = { description, content: declared?.content ?? content({ description }, Number(key))! };
  }

  const pathParams = [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const parameters = [
    ...pathParams.map((name) => parameter("path", name, name === "name" ? TASK_NAME_PARAM : doc.params?.[name], true)),
    ...Object.entries(doc.query ?? {}).map(([name, param]) => parameter("query", name, param, param.required ?? false)),
  ];
  const scope = guarding.scope;
  return {
    summary: doc.summary,
    description: [doc.description, scope === null ? "Open: no token needed." : `Needs the '${scope}' scope (admin ⊃ deploy ⊃ execute ⊃ read).`].filter(Boolean).join("\n\n"),
    tags: [doc.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, description: doc.body.description, content: { "application/json": { schema: doc.body.schema } } } } : {}),
    // OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs: here, the scope.
    security: scope === null ? [] : [{ bearer: [scope] }],
    ...(scope === null ? {} : { "x-ratchet-scope": scope }),
    responses,
  };
}

function parameter(where: "path" | "query", name: string, param: ParameterDoc | undefined, required: boolean) {
  if (!param) throw new Error(`The route doc describes no ${where} parameter '${name}': add it to the doc's ${where === "path" ? "params" : "query"}`);
  return { in: where, name, required, description: param.description, schema: param.schema ?? { type: "string" } };
}
