import { canonicalJson } from "../engine/index.ts";

/**
 * Inputs derived from a task's input schema, deterministically (the same schema gives the same
 * cases in the same order): a valid example, the required fields only, each required field
 * missing, each field of the wrong type, each enum value, and each numeric and length bound at
 * and just past it. Only what a schema states is used; nothing is random.
 */

type Schema = Record<string, unknown>;

export interface GeneratedInput {
  /** What the case probes, e.g. "missing required field name". */
  kind: string;
  input: unknown;
}

const isObject = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);
const MAX_DEPTH = 6;
const MAX_ENUM_VALUES = 5;

/** The subschema a local "#/..." $ref names; other refs are left unresolved (treated as any value). */
function resolve(schema: unknown, root: unknown): Schema | undefined {
  let current = schema;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 10; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#")) return undefined;
    let target: unknown = root;
    for (const part of ref.slice(1).split("/").filter(Boolean)) {
      target = isObject(target) ? target[decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
    }
    current = target;
  }
  if (!isObject(current)) return undefined;
  // allOf: the parts merged, so their properties and requirements all count.
  if (Array.isArray(current.allOf)) {
    const parts = current.allOf.map((part) => resolve(part, root)).filter(isObject);
    const { allOf: _parts, ...rest } = current;
    return parts.reduce<Schema>(
      (merged, part) => ({
        ...part,
        ...merged,
        properties: { ...(isObject(part.properties) ? part.properties : {}), ...(isObject(merged.properties) ? merged.properties : {}) },
        required: [...new Set([...(Array.isArray(part.required) ? part.required : []), ...(Array.isArray(merged.required) ? merged.required : [])])],
      }),
      rest,
    );
  }
  const alternatives = (current.oneOf ?? current.anyOf) as unknown;
  if (Array.isArray(alternatives) && alternatives.length > 0 && current.type === undefined) return resolve(alternatives[0], root);
  return current;
}

/** The types a schema allows, `type` first, else what its keywords imply. */
function typesOf(schema: Schema): string[] {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === "string");
  if (isObject(schema.properties) || Array.isArray(schema.required)) return ["object"];
  if (schema.items !== undefined || schema.prefixItems !== undefined) return ["array"];
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.format !== undefined || schema.pattern !== undefined) return ["string"];
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].some((k) => typeof schema[k] === "number")) return ["number"];
  return [];
}

const FORMAT_EXAMPLES: Record<string, string> = {
  email: "user@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  hostname: "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  date: "2024-01-15",
  "date-time": "2024-01-15T12:00:00Z",
  time: "12:00:00Z",
  uuid: "123e4567-e89b-42d3-a456-426614174000",
};

const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** A number schema's bounds: the lowest and highest values it allows, and the nearest values past them. */
function numberRange(schema: Schema, integer: boolean): { lo?: number; hi?: number; below?: number; above?: number; exMin?: number; exMax?: number } {
  // Draft-07 gives exclusive bounds as numbers, draft-04 as booleans beside minimum/maximum.
  const exMin = num(schema.exclusiveMinimum) ?? (schema.exclusiveMinimum === true ? num(schema.minimum) : undefined);
  const exMax = num(schema.exclusiveMaximum) ?? (schema.exclusiveMaximum === true ? num(schema.maximum) : undefined);
  const min = exMin === undefined ? num(schema.minimum) : undefined;
  const max = exMax === undefined ? num(schema.maximum) : undefined;
  const inside = integer ? 1 : 0.5;
  const lo = exMin !== undefined ? (integer ? Math.floor(exMin) + 1 : exMin + inside) : min !== undefined && integer ? Math.ceil(min) : min;
  const hi = exMax !== undefined ? (integer ? Math.ceil(exMax) - 1 : exMax - inside) : max !== undefined && integer ? Math.floor(max) : max;
  return { lo, hi, below: exMin ?? (lo === undefined ? undefined : lo - 1), above: exMax ?? (hi === undefined ? undefined : hi + 1), exMin, exMax };
}

/** An ordinary value inside the bounds: 1 where allowed, else the nearest bound. */
function exampleNumber(schema: Schema, integer: boolean): number {
  const { lo, hi } = numberRange(schema, integer);
  const multiple = num(schema.multipleOf);
  let value = Math.min(Math.max(1, lo ?? 1), hi ?? Infinity);
  if (multiple) value = Math.ceil(value / multiple) * multiple;
  return value;
}

function exampleString(schema: Schema): string {
  const base = (typeof schema.format === "string" && FORMAT_EXAMPLES[schema.format]) || "example";
  const min = num(schema.minLength) ?? 0;
  const max = num(schema.maxLength);
  const padded = base.length < min ? base + "x".repeat(min - base.length) : base;
  return max !== undefined ? padded.slice(0, max) : padded;
}

/** A value that fits the schema as far as its keywords tell; `requiredOnly` leaves optional properties out. */
export function exampleOf(schema: unknown, root: unknown, requiredOnly = false, depth = 0): unknown {
  const s = resolve(schema, root);
  if (!s) return schema === false ? null : "example";
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ("default" in s) return s.default;
  const type = typesOf(s).find((t) => t !== "null") ?? typesOf(s)[0];
  switch (type) {
    case "object": {
      const properties = isObject(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      const names = requiredOnly ? required : [...new Set([...Object.keys(properties), ...required])];
      if (depth >= MAX_DEPTH) return {};
      return Object.fromEntries(names.map((name) => [name, exampleOf(properties[name], root, requiredOnly, depth + 1)]));
    }
    case "array": {
      const count = num(s.minItems) ?? (requiredOnly ? 0 : 1);
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
      const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
      if (depth >= MAX_DEPTH) return [];
      return Array.from({ length: Math.max(count, requiredOnly ? 0 : prefix.length) }, (_, i) => exampleOf(i < prefix.length ? prefix[i] : rest, root, requiredOnly, depth + 1));
    }
    case "string":
      return exampleString(s);
    case "integer":
      return exampleNumber(s, true);
    case "number":
      return exampleNumber(s, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return "example";
  }
}

/** A value of none of the allowed types: a number where text is expected, text elsewhere. */
function wrongTypeValue(types: string[]): { value: unknown; type: string } | undefined {
  const candidates: { value: unknown; type: string; fits: string[] }[] = [
    { value: "not-a-valid-value", type: "string", fits: ["string"] },
    { value: 12345, type: "number", fits: ["number", "integer"] },
    { value: true, type: "boolean", fits: ["boolean"] },
  ];
  return candidates.find((c) => !c.fits.some((t) => types.includes(t)));
}

/** One place a value can be varied: the root input, or a property of the example object. */
interface Slot {
  label: string;
  /** The whole input schema, for $refs. */
  root: unknown;
  schema: Schema;
  put(value: unknown): unknown;
}

const characters = (n: number) => `${n} character${n === 1 ? "" : "s"}`;

/** Values at each bound the schema states, and just past it. */
function boundCases(slot: Slot): GeneratedInput[] {
  const { schema } = slot;
  const cases: GeneratedInput[] = [];
  const add = (kind: string, value: unknown) => cases.push({ kind: `${kind} (${slot.label})`, input: slot.put(value) });
  const types = typesOf(schema);
  if (types.includes("number") || types.includes("integer")) {
    const { lo, hi, below, above, exMin, exMax } = numberRange(schema, !types.includes("number"));
    if (lo !== undefined) add(exMin === undefined ? `lowest allowed value ${lo}` : `just above exclusiveMinimum ${exMin}: ${lo}`, lo);
    if (below !== undefined) add(exMin === undefined ? `below the lowest allowed value: ${below}` : `exclusiveMinimum itself: ${below}`, below);
    if (hi !== undefined) add(exMax === undefined ? `highest allowed value ${hi}` : `just below exclusiveMaximum ${exMax}: ${hi}`, hi);
    if (above !== undefined) add(exMax === undefined ? `above the highest allowed value: ${above}` : `exclusiveMaximum itself: ${above}`, above);
  }
  if (types.includes("string")) {
    const min = num(schema.minLength);
    const max = num(schema.maxLength);
    if (min !== undefined && min > 0) {
      add(`shortest allowed text, ${characters(min)}`, "a".repeat(min));
      add(`text shorter than minLength ${min}`, "a".repeat(min - 1));
    }
    if (max !== undefined) {
      add(`longest allowed text, ${characters(max)}`, "a".repeat(max));
      add(`text longer than maxLength ${max}`, "a".repeat(max + 1));
    }
  }
  if (types.includes("array")) {
    const item = exampleOf(schema.items, slot.root);
    const min = num(schema.minItems);
    const max = num(schema.maxItems);
    if (min !== undefined && min > 0) add(`fewer items than minItems ${min}`, Array.from({ length: min - 1 }, () => item));
    if (max !== undefined) add(`more items than maxItems ${max}`, Array.from({ length: max + 1 }, () => item));
  }
  return cases;
}

function slotCases(slot: Slot): GeneratedInput[] {
  const cases: GeneratedInput[] = [];
  const types = typesOf(slot.schema);
  const wrong = types.length > 0 ? wrongTypeValue(types) : undefined;
  if (wrong) cases.push({ kind: `wrong type (${slot.label}: ${wrong.type} instead of ${types.join(" or ")})`, input: slot.put(wrong.value) });
  if (Array.isArray(slot.schema.enum)) {
    for (const value of slot.schema.enum.slice(0, MAX_ENUM_VALUES)) cases.push({ kind: `enum value ${JSON.stringify(value)} (${slot.label})`, input: slot.put(value) });
  }
  return [...cases, ...boundCases(slot)];
}

/** Every case the input schema gives, valid example first, without duplicate inputs. */
export function generateInputs(inputSchema: unknown): GeneratedInput[] {
  const root = resolve(inputSchema, inputSchema) ?? {};
  const example = exampleOf(root, inputSchema);
  const cases: GeneratedInput[] = [
    { kind: "valid example", input: example },
    { kind: "valid example, required fields only", input: exampleOf(root, inputSchema, true) },
  ];
  const slots: Slot[] = [];
  if (isObject(example) && typesOf(root).includes("object")) {
    const properties = isObject(root.properties) ? root.properties : {};
    for (const name of Array.isArray(root.required) ? (root.required as string[]) : []) {
      const { [name]: _left, ...rest } = example;
      cases.push({ kind: `missing required field ${name}`, input: rest });
    }
    for (const name of Object.keys(properties)) {
      const schema = resolve(properties[name], inputSchema);
      if (schema) slots.push({ label: name, root: inputSchema, schema, put: (value) => ({ ...example, [name]: value }) });
    }
  } else {
    slots.push({ label: "input", root: inputSchema, schema: root, put: (value) => value });
  }
  for (const slot of slots) cases.push(...slotCases(slot));
  const seen = new Set<string>();
  return cases.filter((c) => {
    const key = canonicalJson(c.input);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
