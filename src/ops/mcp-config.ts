import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { readConfigFile } from "./config.ts";

/** The guide's `mcp:` section of mcp-config.yaml (`ratchet mcp-serve --config`). */
const mcpConfigSchema = {
  type: "object",
  properties: {
    mcp: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean" },
        transport: { enum: ["stdio", "sse", "http"] },
        host: { type: "string", minLength: 1 },
        port: { type: "integer", minimum: 0, maximum: 65_535 },
        auth_type: { enum: ["none"], description: "The local server has no authentication of its own; the Worker's /mcp takes the API's bearer token" },
        max_connections: { type: "integer", minimum: 1, description: "HTTP requests served at once; more are answered 503" },
        request_timeout: { type: "number", exclusiveMinimum: 0, description: "Seconds a tool call may run before it is cancelled" },
        rate_limit_per_minute: { type: "integer", minimum: 1, description: "Tool calls per minute, all clients together" },
      },
    },
  },
} as const satisfies JSONSchema;

type McpConfigFile = FromSchema<typeof mcpConfigSchema>;
export type McpConfig = NonNullable<McpConfigFile["mcp"]>;

/** Reads and checks the `mcp:` section; other sections belong to other commands and are left alone. */
export async function loadMcpConfig(path: string): Promise<McpConfig> {
  const document = await readConfigFile(path, mcpConfigSchema, (issues) =>
    issues.some((i) => i.pointer === "/mcp/auth_type") ? " (auth_type: only none: the local server listens on this machine only; for a token use the Worker's /mcp)" : "",
  );
  return (document as McpConfigFile).mcp ?? {};
}
