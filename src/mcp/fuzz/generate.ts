import { SeededRandom } from "./random.ts";

type Schema = Record<string, any>;

const MAX_DEPTH = 4;
const STRINGS = ["", " ", "a", "0", "null", "ünïcödé 🙂", "<script>alert(1)</script>", "' OR 1=1 --", "line\nbreak", "-1"];
const FORMATS: Record<string, string[]> = {
  email: ["a@example.com", "not-an-email"],
  date: ["2024-02-29", "1970-01-01"],
  "date-time": ["2024-02-29T12:00:00Z", "1970-01-01T00:00:00Z"],
  uri: ["https://example.com/x?y=1", "http://127.0.0.1/"],
  uuid: ["00000000-0000-0000-0000-000000000000"],
};
const ANY_VALUES: unknown[] = [null, 0, -1, "", "text", true, [], {}];

/** Follows a local `$ref` ("#/$defs/x"); other references are taken as "anything". */
function resolve(schema: unknown, root: Schema): Schema {
  if (typeof schema !== "object" || schema === null) return schema === false ? { not: {} } : {};
  const ref = (schema as Schema).$ref;
  if (typeof ref !== "string" || !ref.startsWith("#")) return schema as Schema;
  let node: unknown = root;
  for (const part of ref.slice(2).split("/").filter(Boolean)) node = (node as Schema | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  return resolve(node, root);
}

const typeOf = (schema: Schema, random: SeededRandom): string => {
  if (Array.isArray(schema.type)) return random.pick(schema.type as string[]);
  if (typeof schema.type === "string") return schema.type;
  if (schema.properties || schema.required) return "object";
  if (schema.items || schema.prefixItems) return "array";
  return "any";
};

/**
 * A number at or inside the schema's bounds (its boundaries, just inside them, the middle), or,
 * where it sets none, an extreme (0, -1, the largest safe integers, fractions).
 */
function numberFor(schema: Schema, integer: boolean, random: SeededRandom): number {
  const step = integer ? 1 : 0.001;
  const min = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + step : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - step : undefined;
  const pool: number[] = [];
  if (min !== undefined) pool.push(min, min + step);
  if (max !== undefined) pool.push(max, max - step);
  if (min !== undefined && max !== undefined) pool.push(min + (max - min) / 2, min + random.next() * (max - min));
  else {
    pool.push(0, 1, -1, (min ?? max ?? 0) + (random.next() - 0.5) * 2_000_000);
    if (min === undefined) pool.push(-Number.MAX_SAFE_INTEGER);
    if (max === undefined) pool.push(Number.MAX_SAFE_INTEGER);
  }
  if (!integer && min === undefined && max === undefined) pool.push(0.1, -0.5, 1e-9);
  const inRange = pool.map((n) => (integer ? Math.round(n) : n)).filter((n) => (min === undefined || n >= min) && (max === undefined || n <= max));
  return random.pick(inRange.length > 0 ? inRange : [min ?? max ?? 0]);
}

/** A string within the schema's lengths: edge texts (empty, injection-like, unicode, newlines) where they fit, or random text of an allowed length. */
function stringFor(schema: Schema, random: SeededRandom): string {
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : 10_000;
  const formats = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
  const fits = (text: string) => [...text].length >= min && [...text].length <= max;
  const length = random.int(min, Math.min(max, min + 40));
  let text = "";
  for (let i = 0; i < length; i++) text += random.pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_".split(""));
  const pool = [...STRINGS, ...(formats ?? []), "x".repeat(min), "x".repeat(Math.min(max, 10_000)), text].filter(fits);
  return random.pick(pool.length > 0 ? pool : [text]);
}

/** A value shaped by a schema, picked among its boundary and unusual values. */
function valueFor(raw: unknown, root: Schema, random: SeededRandom, depth: number): unknown {
  const schema = resolve(raw, root);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return random.pick(schema.enum);
  const branches = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) return valueFor(random.pick(branches), root, random, depth);
  if (Array.isArray(schema.allOf)) {
    const merged = Object.assign({}, ...schema.allOf.map((s: unknown) => resolve(s, root)), { ...schema, allOf: undefined });
    return valueFor(merged, root, random, depth);
  }
  switch (typeOf(schema, random)) {
    case "string":
      return stringFor(schema, random);
    case "integer":
      return numberFor(schema, true, random);
    case "number":
      return numberFor(schema, false, random);
    case "boolean":
      return random.chance(0.5);
    case "null":
      return null;
    case "array": {
      if (depth >= MAX_DEPTH) return [];
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : min + 5;
      const length = random.int(min, Math.min(max, min + 5));
      return Array.from({ length }, () => valueFor(schema.items ?? {}, root, random, depth + 1));
    }
    case "object": {
      if (depth >= MAX_DEPTH) return {};
      const properties = (schema.properties ?? {}) as Record<string, unknown>;
      const required = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
      const value: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(properties)) {
        if (required.has(name) || random.chance(0.6)) value[name] = valueFor(sub, root, random, depth + 1);
      }
      for (const name of required) if (!(name in value)) value[name] = random.pick(ANY_VALUES);
      return value;
    }
    default:
      return random.pick(ANY_VALUES);
  }
}

/** A value that breaks the schema in one place: a required property dropped, a property of the wrong type, or the wrong root. */
function mutate(value: unknown, required: string[], random: SeededRandom): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || Object.keys(value).length === 0) return random.pick([null, "text", 42, [], {}]);
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const present = required.filter((name) => name in copy);
  if (present.length > 0 && random.chance(0.5)) delete copy[random.pick(present)];
  else copy[random.pick(Object.keys(copy))] = random.pick([null, "", "not a number", -1, [], {}, true]);
  return copy;
}

export interface FuzzCase {
  input: unknown;
  /** Whether the generator broke the schema on purpose (an InputSchemaError is then the right answer). */
  mutated: boolean;
}

/** `count` inputs from an input schema, the same for the same seed: mostly schema-shaped edge values, every fourth one broken on purpose. */
export function generateInputs(schema: unknown, count: number, seed: number): FuzzCase[] {
  const random = new SeededRandom(seed);
  const root = (typeof schema === "object" && schema !== null ? schema : {}) as Schema;
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const value = valueFor(root, root, random, 0);
    const mutated = i % 4 === 3;
    const required = Array.isArray(root.required) ? (root.required as string[]) : [];
    cases.push({ input: mutated ? mutate(value, required, random) : value, mutated });
  }
  return cases;
}
