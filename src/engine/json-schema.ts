import { Validator, type OutputUnit, type Schema, type SchemaDraft } from "@cfworker/json-schema";
import draft07 from "ajv/dist/refs/json-schema-draft-07.json" with { type: "json" };
import draft2020 from "ajv/dist/refs/json-schema-2020-12/schema.json" with { type: "json" };
import applicator2020 from "ajv/dist/refs/json-schema-2020-12/meta/applicator.json" with { type: "json" };
import content2020 from "ajv/dist/refs/json-schema-2020-12/meta/content.json" with { type: "json" };
import core2020 from "ajv/dist/refs/json-schema-2020-12/meta/core.json" with { type: "json" };
import format2020 from "ajv/dist/refs/json-schema-2020-12/meta/format-annotation.json" with { type: "json" };
import metaData2020 from "ajv/dist/refs/json-schema-2020-12/meta/meta-data.json" with { type: "json" };
import unevaluated2020 from "ajv/dist/refs/json-schema-2020-12/meta/unevaluated.json" with { type: "json" };
import validation2020 from "ajv/dist/refs/json-schema-2020-12/meta/validation.json" with { type: "json" };
import { nestsDeeperThan, TOO_NESTED } from "./json-depth.ts";
import { mapSchema, walkSchema } from "./schema-walk.ts";
import { didYouMean } from "./suggest.ts";

/** One reason a value does not fit a schema. `pointer` is a JSON Pointer into the value ("" is the root). */
export interface SchemaIssue {
  pointer: string;
  message: string;
  keyword: string;
}

export interface CompiledSchema {
  readonly draft: SchemaDraft;
  check(value: unknown): SchemaIssue[];
}

const DRAFTS: Record<string, SchemaDraft> = {
  "http://json-schema.org/draft-07/schema": "7",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

/** Drafts a task schema may declare in `$schema`; without one, 2020-12 applies. */
export const SUPPORTED_DRAFTS = Object.keys(DRAFTS);
const DEFAULT_DRAFT: SchemaDraft = "2020-12";

export function draftOf(schema: unknown): SchemaDraft | undefined {
  if (typeof schema !== "object" || schema === null) return DEFAULT_DRAFT;
  const declared = (schema as { $schema?: unknown }).$schema;
  if (declared === undefined) return DEFAULT_DRAFT;
  if (typeof declared !== "string") return undefined;
  return DRAFTS[declared.replace(/#$/, "")];
}

// Keywords whose own error only says "a child failed"; the child's error says what is wrong.
const WRAPPER_KEYWORDS = new Set([
  "$ref",
  "$recursiveRef",
  "allOf",
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "dependentSchemas",
  "then",
  "else",
]);
const ALTERNATIVE_KEYWORDS = new Set(["anyOf", "oneOf"]);

function toPointer(instanceLocation: string): string {
  return instanceLocation.replace(/^#/, "");
}

/** The schema value a keyword location points at, when it is reachable without a $ref hop. */
function keywordValue(schema: unknown, keywordLocation: string): unknown {
  let node = schema;
  for (const raw of keywordLocation.replace(/^#\/?/, "").split("/")) {
    if (raw === "" || node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

// Keywords whose `false` schema refuses what is left over: @cfworker reports the keyword at the
// container and a bare "False boolean schema." at the member, which alone says neither.
const REST_KEYWORDS = new Set(["additionalProperties", "unevaluatedProperties", "items", "additionalItems", "unevaluatedItems"]);
// Keywords that can give one member a `false` schema, reported the same way.
const MEMBER_KEYWORDS = new Set(["properties", "patternProperties", "prefixItems", ...REST_KEYWORDS]);

/** The container of an instance location, and the member's name or index in it. */
function splitLocation(instanceLocation: string): { parent: string; member: string } {
  const cut = instanceLocation.lastIndexOf("/");
  return { parent: instanceLocation.slice(0, cut), member: instanceLocation.slice(cut + 1).replaceAll("~1", "/").replaceAll("~0", "~") };
}

/** What a `false` schema refused, said at the member it refused, with the keyword that refused it. */
function refused(unit: OutputUnit, units: OutputUnit[]): { message: string; keyword: string } {
  const { parent, member } = splitLocation(unit.instanceLocation);
  const container =
    units.find((u) => REST_KEYWORDS.has(u.keyword) && u.instanceLocation === parent) ?? units.find((u) => MEMBER_KEYWORDS.has(u.keyword) && u.instanceLocation === parent);
  if (!container) return { message: "Value is not allowed here: its schema is false.", keyword: unit.keyword };
  const { keyword } = container;
  const isItem = keyword === "items" || keyword.endsWith("Items");
  const what = isItem ? `Item ${member}` : `Property "${member}"`;
  if (!REST_KEYWORDS.has(keyword)) return { message: `${what} is not allowed: its schema is false.`, keyword };
  const why = isItem ? "the array has more items than the schema accepts" : "the schema accepts only the properties it lists";
  return { message: `${what} is not allowed: ${why} (${keyword} is false).`, keyword };
}

/** Reduces @cfworker's nested output to one issue per real problem, in plainer words. */
function summarise(units: OutputUnit[], schema: unknown): SchemaIssue[] {
  const alternatives = units.filter((u) => ALTERNATIVE_KEYWORDS.has(u.keyword));
  const under = (u: OutputUnit, parent: OutputUnit) => u.keywordLocation.startsWith(`${parent.keywordLocation}/`);
  // Said at each member it refused instead (see refused).
  const explained = (u: OutputUnit) =>
    MEMBER_KEYWORDS.has(u.keyword) && units.some((f) => f.keyword === "false" && splitLocation(f.instanceLocation).parent === u.instanceLocation);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    if (WRAPPER_KEYWORDS.has(unit.keyword) && units.some((u) => u !== unit && under(u, unit))) continue;
    if (alternatives.some((alt) => alt !== unit && under(unit, alt))) continue;
    if (explained(unit)) continue;
    const said = unit.keyword === "false" ? refused(unit, units) : { message: unit.error, keyword: unit.keyword };
    let { message } = said;
    if (unit.keyword === "pattern") {
      const pattern = keywordValue(schema, unit.keywordLocation);
      if (typeof pattern === "string") message = `String does not match the pattern ${pattern}.`;
    }
    if (ALTERNATIVE_KEYWORDS.has(unit.keyword)) {
      const reasons = units
        .filter((u) => under(u, unit) && !WRAPPER_KEYWORDS.has(u.keyword) && !ALTERNATIVE_KEYWORDS.has(u.keyword))
        .map((u) => u.error);
      if (reasons.length > 0) message = `${message} ${[...new Set(reasons)].join(" Or: ")}`;
    }
    message = message.replace(/\bInstance\b/g, "Value");
    const issue = { pointer: toPointer(unit.instanceLocation), message, keyword: said.keyword };
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** The keyword of an issue saying the schema, not the value, stopped the check: a $ref loop no value ends, or a $ref to nowhere. */
export const UNCHECKABLE = "uncheckable";

const ILL_FORMED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The pointer of the first property name holding an unpaired surrogate (walked without recursion: the value may be deep). */
function illFormedKey(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length > 0) {
    const [node, pointer] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    for (const [key, child] of Object.entries(node)) {
      const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (!Array.isArray(node) && ILL_FORMED.test(key)) return at;
      stack.push([child, at]);
    }
  }
  return undefined;
}

/**
 * @cfworker/json-schema throws instead of reporting on three kinds of input: a property name that
 * is not well-formed Unicode (its pointers go through encodeURI), recursion past the stack (a
 * $ref loop), and a $ref it cannot resolve. Each becomes an issue, so a caller's answer is a
 * refusal, never a crash.
 */
function uncheckable(error: unknown, value: unknown): SchemaIssue {
  if (error instanceof URIError) {
    return { pointer: illFormedKey(value) ?? "", keyword: "propertyNames", message: "Property name is not well-formed Unicode (it holds an unpaired surrogate such as \\ud800); use valid UTF-16 text" };
  }
  if (error instanceof RangeError) {
    return { pointer: "", keyword: UNCHECKABLE, message: "The value could not be checked: the schema's $ref loops back on itself without consuming any of the value" };
  }
  const unresolved = error instanceof Error ? /^Unresolved \$ref "([^"]*)"/.exec(error.message) : null;
  if (unresolved) {
    return { pointer: "", keyword: UNCHECKABLE, message: `The value could not be checked: the schema's $ref "${unresolved[1]}" points nowhere (a $ref must name a part of the same schema, such as #/definitions/name; no remote schemas are loaded)` };
  }
  throw error;
}

function compile(schema: Schema | boolean, draft: SchemaDraft, extra: Schema[] = []): CompiledSchema {
  const validator = new Validator(schema, draft, false);
  for (const doc of extra) validator.addSchema(doc);
  return {
    draft,
    check(value) {
      if (nestsDeeperThan(value)) return [{ pointer: "", keyword: "maxDepth", message: `Value is ${TOO_NESTED}` }];
      let result: ReturnType<Validator["validate"]>;
      try {
        result = validator.validate(value);
      } catch (error) {
        return [uncheckable(error, value)];
      }
      return result.valid ? [] : summarise(result.errors, schema);
    },
  };
}

const compiled = new WeakMap<object, CompiledSchema>();

/**
 * Compiles a schema the task author wrote (cached per schema object). Throws if `$schema`
 * names a draft we do not support; `checkSchemaDocument` reports that as a problem first.
 */
export function compileSchema(schema: object | boolean): CompiledSchema {
  if (typeof schema === "boolean") return compile(schema, DEFAULT_DRAFT);
  const cached = compiled.get(schema);
  if (cached) return cached;
  const draft = draftOf(schema);
  if (!draft) throw new Error(`unsupported $schema ${JSON.stringify((schema as Schema).$schema)}`);
  const result = compile(schema as Schema, draft);
  compiled.set(schema, result);
  return result;
}

/**
 * @cfworker/json-schema implements 2019-09's $recursiveRef but not 2020-12's $dynamicRef.
 * The 2020-12 meta-schema only uses $dynamicRef the way 2019-09 used $recursiveRef, so
 * rewriting it keeps the meta-schema's meaning and makes nested subschemas checked too.
 */
function asRecursive(doc: object): Schema {
  return JSON.parse(
    JSON.stringify(doc)
      .replaceAll('"$dynamicRef":"#meta"', '"$recursiveRef":"#"')
      .replaceAll('"$dynamicAnchor":"meta"', '"$recursiveAnchor":true'),
  ) as Schema;
}

let metaSchemas: Record<SchemaDraft, CompiledSchema | undefined> | undefined;

function metaSchemaFor(draft: SchemaDraft): CompiledSchema | undefined {
  metaSchemas ??= {
    "4": undefined,
    "2019-09": undefined,
    "7": compile(draft07 as Schema, "7"),
    "2020-12": compile(
      asRecursive(draft2020),
      "2020-12",
      [core2020, applicator2020, validation2020, metaData2020, format2020, content2020, unevaluated2020].map(
        asRecursive,
      ),
    ),
  };
  return metaSchemas[draft];
}

/** Checks a schema document against the meta-schema of the draft it declares. */
export function checkSchemaDocument(schema: unknown): SchemaIssue[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    if (typeof schema === "boolean") return [];
    return [{ pointer: "", keyword: "type", message: "A schema must be a JSON object (or true/false)." }];
  }
  const draft = draftOf(schema);
  if (!draft) {
    return [
      {
        pointer: "/$schema",
        keyword: "$schema",
        message: `Unsupported $schema ${JSON.stringify((schema as { $schema: unknown }).$schema)}; use one of ${SUPPORTED_DRAFTS.join(", ")}.`,
      },
    ];
  }
  const typeIssues = unknownTypes(schema);
  // The meta-schema says a bad type fails an anyOf of its branches; the type issue says it plainly.
  const typePointers = typeIssues.map((t) => t.pointer.replace(/\/type\/\d+$/, "/type"));
  const covered = (pointer: string) => typePointers.some((at) => pointer === at || pointer.startsWith(`${at}/`));
  const meta = metaSchemaFor(draft);
  const issues = [...typeIssues, ...(meta ? meta.check(schema) : []).filter((issue) => !covered(issue.pointer))];
  if (issues.length === 0) {
    try {
      compileSchema(schema);
    } catch (error) {
      issues.push({ pointer: "", keyword: "$ref", message: `The schema cannot be compiled: ${(error as Error).message}` });
    }
  }
  return issues;
}

const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];

/** `type` values that name no JSON Schema type, each with the type it most likely meant. */
function unknownTypes(schema: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  walkSchema(schema, (node, pointer) => {
    const declared = node.type;
    const names = typeof declared === "string" ? [declared] : Array.isArray(declared) ? declared : [];
    names.forEach((name, i) => {
      if (typeof name !== "string" || TYPES.includes(name)) return;
      const at = Array.isArray(declared) ? `${pointer}/type/${i}` : `${pointer}/type`;
      const suggestion = didYouMean(name, TYPES) || `; the types are ${TYPES.join(", ")}`;
      issues.push({ pointer: at, keyword: "type", message: `unknown type "${name}"${suggestion}` });
    });
  });
  return issues;
}

/** Every keyword of draft-07 and 2020-12 (core, applicator, validation, meta-data, format, content). */
export const SCHEMA_KEYWORDS = [
  "$schema", "$id", "$ref", "$comment", "$defs", "definitions", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary",
  "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired",
  "properties", "patternProperties", "additionalProperties", "propertyNames", "items", "prefixItems", "additionalItems", "contains",
  "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies", "unevaluatedItems", "unevaluatedProperties",
  "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "format", "contentEncoding", "contentMediaType", "contentSchema",
];

/**
 * Keywords JSON Schema does not know, which validators ignore: most often a misspelling
 * (`requred`) that silently switches a check off. Names starting with "x-" are taken as the
 * author's own annotations.
 */
export function unknownKeywords(schema: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  walkSchema(schema, (node, pointer) => {
    for (const key of Object.keys(node)) {
      if (SCHEMA_KEYWORDS.includes(key) || key.startsWith("x-")) continue;
      const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      issues.push({ pointer: at, keyword: key, message: `Unknown keyword "${key}" is ignored${didYouMean(key, SCHEMA_KEYWORDS)}` });
    }
  });
  return issues;
}

// Keywords that ask for something to be present; a subset of a value may leave it out.
const PRESENCE_KEYWORDS = ["required", "minProperties", "dependentRequired"];

/**
 * The schema as it applies to a deep subset of a value (a test's expected_output): what is
 * given must fit, but nothing is required to be there.
 */
export function subsetSchema(schema: object | boolean): object | boolean {
  if (typeof schema === "boolean") return schema;
  return mapSchema(schema, (node) => {
    const copy = { ...node };
    for (const key of PRESENCE_KEYWORDS) delete copy[key];
    // draft-07 dependencies: a list of names is a presence rule, a schema is not.
    const dependencies = copy.dependencies;
    if (typeof dependencies === "object" && dependencies !== null) {
      copy.dependencies = Object.fromEntries(Object.entries(dependencies).filter(([, v]) => !Array.isArray(v)));
    }
    return copy;
  }) as object;
}
