import type { FromSchema, JSONSchema } from "json-schema-to-ts";

/**
 * Schemas of the documents a task is made of. Each one is checked at run time with the
 * same validator as task inputs, and gives its TypeScript type through FromSchema, so the
 * type and the check cannot drift apart.
 */

/** A schedule as declared in metadata.json or sent to POST /schedules (without `task`). */
export const scheduleDeclarationSchema = {
  type: "object",
  required: ["cron"],
  additionalProperties: false,
  properties: {
    cron: { type: "string", minLength: 1, description: "5 fields, 6 with seconds first (minute granularity), or @hourly/@daily/@weekly/@monthly" },
    timezone: { type: "string", minLength: 1, description: "IANA time zone, default UTC" },
    input: { description: "Input of every run, default {}" },
    enabled: { type: "boolean" },
    retry: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_attempts: { type: "integer", minimum: 1, maximum: 10, description: "Attempts per slot, the first included (default 3)" },
        backoff_seconds: { type: "integer", minimum: 1, maximum: 86400, description: "Delay before the 2nd attempt, doubled for each next one (default 60)" },
      },
    },
    catch_up: { enum: ["skip", "once"], description: "After downtime: skip missed slots (default) or run once for them" },
  },
} as const satisfies JSONSchema;

export type ScheduleDeclaration = FromSchema<typeof scheduleDeclarationSchema>;

export const metadataSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["uuid", "version", "label"],
  properties: {
    uuid: {
      type: "string",
      pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
      description: "Stable identity of the task",
    },
    version: {
      type: "string",
      pattern: "^\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$",
      description: "Semantic version, e.g. 1.0.0",
    },
    label: { type: "string", minLength: 1 },
    description: { type: "string" },
    author: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    timeout: { type: "integer", minimum: 1, description: "Wall-clock limit in ms" },
    memory_limit: {
      type: "string",
      // B, KB, KiB, MB, MiB, GB or GiB in any case, as parseMemorySize reads them.
      pattern: "^\\s*\\d+(\\.\\d+)?\\s*(([KkMmGg][Ii]?)?[Bb])?\\s*$",
      description: 'Memory limit, e.g. "128MB" (binary units: 1 MB = 1024 KB)',
    },
    retry_attempts: {
      type: "integer",
      minimum: 1,
      maximum: 10,
      description: "Attempts per slot, the first included, for the task's schedules that set no retry.max_attempts (default 3)",
    },
    schedules: { type: "array", items: scheduleDeclarationSchema, description: "Schedules created or updated when the task is deployed" },
    network: {
      type: "object",
      additionalProperties: false,
      properties: {
        allow: {
          type: "array",
          items: {
            type: "string",
            // host, host:port, *.domain[:port], [IPv6][:port] or a CIDR range, as egress/allow-list.ts reads them.
            pattern: "^(?:(?:\\*\\.)?[A-Za-z0-9_.-]+(?::\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](?::\\d{1,5})?|[0-9A-Fa-f:.]+/\\d{1,3})$",
          },
          description: 'The only hosts the task may fetch, e.g. ["api.openweathermap.org", "*.github.com:443"]; the deployment\'s refusals still apply',
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type TaskMetadata = FromSchema<typeof metadataSchema> & Record<string, unknown>;

/** Metadata keys the engine knows; others are reported as warnings (a typo would otherwise be ignored). */
export const KNOWN_METADATA_KEYS = Object.keys(metadataSchema.properties);

export const mockRequestSchema = {
  type: "object",
  required: ["url"],
  additionalProperties: false,
  properties: {
    method: { type: "string", minLength: 1 },
    url: { type: "string", minLength: 1 },
    response: {
      type: "object",
      additionalProperties: false,
      properties: {
        status: { type: "integer", minimum: 100, maximum: 599 },
        statusText: { type: "string" },
        headers: { type: "object", additionalProperties: { type: "string" } },
        body: {},
      },
    },
  },
} as const satisfies JSONSchema;

export const testCaseSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["input"],
  additionalProperties: false,
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    input: {},
    expected_output: {},
    expected_error: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        type: { type: "string", description: "Error type, e.g. DataError or InputSchemaError" },
        message: { type: "string", description: "Text the error message must contain" },
      },
    },
    mock_http: {
      type: "object",
      required: ["requests"],
      additionalProperties: false,
      properties: { requests: { type: "array", items: mockRequestSchema } },
    },
  },
} as const satisfies JSONSchema;

export type TestCase = FromSchema<typeof testCaseSchema>;
export type MockRequest = FromSchema<typeof mockRequestSchema>;

/** A JSON Schema document as the task author wrote it. */
export type JsonSchemaDocument = Record<string, unknown> | boolean;

export const BUNDLE_FORMAT = "ratchet.bundle/1";

/**
 * The canonical bundle document: one JSON value holding everything a task is. The Worker
 * stores exactly this; `hash` is the SHA-256 of the document without `hash`, in canonical JSON.
 */
export const bundleDocumentSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["format", "metadata", "code", "input_schema", "output_schema", "tests"],
  additionalProperties: false,
  properties: {
    format: { const: BUNDLE_FORMAT },
    hash: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
    metadata: { type: "object" },
    code: { type: "string" },
    input_schema: { type: ["object", "boolean"] },
    output_schema: { type: ["object", "boolean"] },
    tests: {
      type: "array",
      items: {
        type: "object",
        required: ["file", "case"],
        additionalProperties: false,
        properties: { file: { type: "string", pattern: "^tests/[^/]+\\.json$" }, case: { type: "object" } },
      },
    },
  },
} as const satisfies JSONSchema;

export type BundleDocument = FromSchema<typeof bundleDocumentSchema>;
