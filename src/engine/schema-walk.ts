/**
 * The places in a JSON Schema (draft-07 or 2020-12) that hold subschemas, so a walk visits
 * schemas only: a property named "required" or a `default` value is never taken for a keyword.
 */
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
const SCHEMA_VALUES = [
  "additionalProperties",
  "additionalItems",
  "items",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contentSchema",
];

type SchemaObject = Record<string, unknown>;

const isSchemaObject = (value: unknown): value is SchemaObject => typeof value === "object" && value !== null && !Array.isArray(value);
const escape = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** Calls `visit` for the schema and every subschema object in it, with its JSON Pointer. */
export function walkSchema(schema: unknown, visit: (node: SchemaObject, pointer: string) => void, pointer = ""): void {
  if (!isSchemaObject(schema)) return;
  visit(schema, pointer);
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (!isSchemaObject(map)) continue;
    for (const [name, sub] of Object.entries(map)) walkSchema(sub, visit, `${pointer}/${key}/${escape(name)}`);
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => walkSchema(sub, visit, `${pointer}/${key}/${i}`));
  }
  for (const key of SCHEMA_VALUES) walkSchema(schema[key], visit, `${pointer}/${key}`);
}

/** A copy of the schema with `change` applied to every schema object in it (deepest first). */
export function mapSchema(schema: unknown, change: (node: SchemaObject) => SchemaObject): unknown {
  if (!isSchemaObject(schema)) return schema;
  const copy: SchemaObject = { ...schema };
  for (const key of SCHEMA_MAPS) {
    const map = copy[key];
    if (isSchemaObject(map)) copy[key] = Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, mapSchema(sub, change)]));
  }
  for (const key of SCHEMA_LISTS) {
    const list = copy[key];
    if (Array.isArray(list)) copy[key] = list.map((sub) => mapSchema(sub, change));
  }
  for (const key of SCHEMA_VALUES) if (isSchemaObject(copy[key])) copy[key] = mapSchema(copy[key], change);
  return change(copy);
}
