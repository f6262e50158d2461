/**
 * Starting points for `ratchet generate task`: each passes `ratchet validate` and, with its
 * tests, `ratchet test` as generated. The output schema of each accepts any object, so the
 * guide's walkthroughs (which rewrite main.js and input.schema.json only) keep passing; its
 * description says to tighten it.
 */

export const TEMPLATE_NAMES = ["basic", "api", "data"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Names the guide and upstream Ratchet use for the same templates. */
export const TEMPLATE_ALIASES: Record<string, TemplateName> = {
  basic: "basic",
  api: "api",
  "rest-api": "api",
  http: "api",
  data: "data",
  "data-processing": "data",
  transform: "data",
};

export interface Template {
  code: string;
  input: object;
  output: object;
  /** An input the task accepts, for the generated README's run-once command. */
  example: object;
  tests: Record<string, object>;
  /** metadata.json's network block: the hosts the task may fetch. */
  network?: { allow: string[] };
}

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

/** Any object: what the scaffold returns, and whatever the author's main.js returns next. */
function looseOutput(example: object): object {
  return {
    $schema: DRAFT_07,
    type: "object",
    description:
      "What the task returns. This accepts any object so main.js can change freely; tighten it (properties, required) once the output has its final shape.",
    examples: [example],
  };
}

const basic: Template = {
  code: `(function(input, context) {
    const { name, excited = false } = input;
    console.log("greeting " + name);
    return {
        greeting: "Hello, " + name + (excited ? "!" : "."),
        timestamp: new Date().toISOString()
    };
})
`,
  input: {
    $schema: DRAFT_07,
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", minLength: 1, description: "Who to greet" },
      excited: { type: "boolean", description: "End with an exclamation mark" },
    },
  },
  output: looseOutput({ greeting: "Hello, Ada.", timestamp: "2026-01-01T00:00:00.000Z" }),
  example: { name: "Ada" },
  tests: {
    "test-001.json": { name: "Greets by name", input: { name: "Ada" }, expected_output: { greeting: "Hello, Ada." } },
    "test-002.json": { name: "Excited greeting", input: { name: "Ada", excited: true }, expected_output: { greeting: "Hello, Ada!" } },
    "test-003.json": { name: "Name is required", input: {}, expected_error: { type: "InputSchemaError", message: "name" } },
  },
};

const api: Template = {
  code: `(function(input, context) {
    const { url, headers = {} } = input;
    const response = fetch(url, { method: "GET", headers: headers });
    if (!response.ok) {
        throw new NetworkError(url + " answered " + response.status + " " + response.statusText);
    }
    return {
        status: response.status,
        data: response.body,
        fetchedAt: new Date().toISOString()
    };
})
`,
  input: {
    $schema: DRAFT_07,
    type: "object",
    required: ["url"],
    properties: {
      url: { type: "string", format: "uri", description: "Endpoint to fetch" },
      headers: { type: "object", additionalProperties: { type: "string" }, description: "Request headers" },
    },
  },
  output: looseOutput({ status: 200, data: { items: [1, 2, 3] }, fetchedAt: "2026-01-01T00:00:00.000Z" }),
  example: { url: "https://api.example.com/items" },
  network: { allow: ["api.example.com"] },
  tests: {
    "test-001.json": {
      name: "Returns the API's data",
      input: { url: "https://api.example.com/items" },
      expected_output: { status: 200, data: { items: [1, 2, 3] } },
      mock_http: {
        requests: [{ method: "GET", url: "https://api.example.com/items", response: { status: 200, body: { items: [1, 2, 3] } } }],
      },
    },
    "test-002.json": {
      name: "A failing API is a NetworkError",
      input: { url: "https://api.example.com/items" },
      expected_error: { type: "NetworkError", message: "503" },
      mock_http: {
        requests: [{ method: "GET", url: "https://api.example.com/items", response: { status: 503, statusText: "Service Unavailable", body: "down" } }],
      },
    },
  },
};

const data: Template = {
  code: `(function(input, context) {
    const { items, field, min } = input;
    const kept = items.filter(function(item) {
        if (typeof item[field] !== "number") {
            throw new DataError("item " + JSON.stringify(item) + " has no number in " + field);
        }
        return item[field] >= min;
    });
    return { total: items.length, count: kept.length, items: kept };
})
`,
  input: {
    $schema: DRAFT_07,
    type: "object",
    required: ["items", "field", "min"],
    properties: {
      items: { type: "array", items: { type: "object" } },
      field: { type: "string", minLength: 1 },
      min: { type: "number" },
    },
  },
  output: looseOutput({ total: 3, count: 2, items: [{ score: 7 }, { score: 9 }] }),
  example: { items: [{ score: 3 }, { score: 7 }, { score: 9 }], field: "score", min: 7 },
  tests: {
    "test-001.json": {
      name: "Keeps items at or above min",
      input: { items: [{ score: 3 }, { score: 7 }, { score: 9 }], field: "score", min: 7 },
      expected_output: { total: 3, count: 2, items: [{ score: 7 }, { score: 9 }] },
    },
    "test-002.json": {
      name: "A missing field is a DataError",
      input: { items: [{ score: 3 }, { name: "x" }], field: "score", min: 1 },
      expected_error: { type: "DataError", message: "has no number in score" },
    },
  },
};

export const TEMPLATES: Record<TemplateName, Template> = { basic, api, data };
