import { readFile } from "node:fs/promises";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import { parse } from "yaml";
import { compileSchema, type ExecutionLimits, type SchemaIssue } from "../engine/index.ts";
import { UsageError } from "./errors.ts";

/** The guide's optional `ratchet --config config.yaml`. */
const configSchema = {
  type: "object",
  properties: {
    execution: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_execution_duration: { type: "number", exclusiveMinimum: 0, description: "Wall-clock limit in seconds" },
        validate_schemas: { type: "boolean" },
      },
    },
    http: {
      type: "object",
      additionalProperties: false,
      properties: {
        timeout: { type: "number", exclusiveMinimum: 0, description: "Per-request timeout in seconds" },
        verify_ssl: { type: "boolean" },
      },
    },
  },
} as const satisfies JSONSchema;

type ConfigFile = FromSchema<typeof configSchema>;

export interface CliConfig {
  limits: Partial<ExecutionLimits>;
  validateSchemas: boolean;
}

export const DEFAULT_CONFIG: CliConfig = { limits: {}, validateSchemas: true };

/** Reads a YAML config file and checks it against `schema`; a UsageError says what is wrong and where, `explain` may add how to fix it. */
export async function readConfigFile(path: string, schema: JSONSchema, explain: (issues: SchemaIssue[]) => string = () => ""): Promise<unknown> {
  const text = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`cannot read --config ${path}`);
  });
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new UsageError(`--config ${path} is not valid YAML: ${(error as Error).message}`);
  }
  const issues = compileSchema(schema).check(document);
  if (issues.length > 0) {
    throw new UsageError(`--config ${path}: ${issues.map((i) => `${i.pointer || "(root)"}: ${i.message}`).join("; ")}${explain(issues)}`);
  }
  return document;
}

/** Reads and checks a config file; says on stderr what it cannot honour. `otherSections` are read by the command itself (mcp-serve's `mcp:`). */
export async function loadConfig(path: string, warn: (line: string) => void, otherSections: readonly string[] = []): Promise<CliConfig> {
  const document = await readConfigFile(path, configSchema);
  const config = document as ConfigFile;
  for (const section of Object.keys(config)) {
    if (section !== "execution" && section !== "http" && !otherSections.includes(section)) warn(`warning: --config section "${section}" is not used by this command`);
  }
  if (config.http?.verify_ssl === false) warn("warning: http.verify_ssl: false is ignored: certificates are always verified");
  const limits: Partial<ExecutionLimits> = {};
  if (config.execution?.max_execution_duration !== undefined) limits.wallMs = Math.round(config.execution.max_execution_duration * 1000);
  if (config.http?.timeout !== undefined) limits.fetchTimeoutMs = Math.round(config.http.timeout * 1000);
  return { limits, validateSchemas: config.execution?.validate_schemas ?? true };
}
