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

/** Reduces @cfworker's nested output to one issue per real problem, in plainer words. */
function summarise(units: OutputUnit[], schema: unknown): SchemaIssue[] {
  const alternatives = units.filter((u) => ALTERNATIVE_KEYWORDS.has(u.keyword));
  const under = (u: OutputUnit, parent: OutputUnit) => u.keywordLocation.startsWith(`${parent.keywordLocation}/`);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    if (WRAPPER_KEYWORDS.has(unit.keyword) && units.some((u) => u !== unit && under(u, unit))) continue;
    if (alternatives.some((alt) => alt !== unit && under(unit, alt))) continue;
    let message = unit.error;
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
    const issue = { pointer: toPointer(unit.instanceLocation), message, keyword: unit.keyword };
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function compile(schema: Schema | boolean, draft: SchemaDraft, extra: Schema[] = []): CompiledSchema {
  const validator = new Validator(schema, draft, false);
  for (const doc of extra) validator.addSchema(doc);
  return {
    draft,
    check(value) {
      const result = validator.validate(value);
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
  const meta = metaSchemaFor(draft);
  const issues = meta ? meta.check(schema) : [];
  if (issues.length === 0) {
    try {
      compileSchema(schema);
    } catch (error) {
      issues.push({ pointer: "", keyword: "$ref", message: `The schema cannot be compiled: ${(error as Error).message}` });
    }
  }
  return issues;
}
