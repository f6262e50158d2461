import { asyncMisuseRule } from "./rules/async-misuse.ts";
import { entryPointRule } from "./rules/entry-point.ts";
import { limitRule } from "./rules/limits.ts";
import { networkRule } from "./rules/network.ts";
import { inputSchemaRule, outputSchemaRule } from "./rules/schema.ts";
import { thrownRule } from "./rules/thrown.ts";
import { notAFunctionRule, undefinedPropertyRule } from "./rules/type-error.ts";
import { uncheckedStatusRule } from "./rules/unchecked-status.ts";
import type { Rule } from "./types.ts";

/**
 * The rule families, most specific first: the first that matches is the diagnosis, the
 * others that match are listed as contributing findings. An unchecked error status comes
 * before the TypeError or wrong output it causes; the thrown-error rule matches anything.
 */
export const CATALOGUE: readonly Rule[] = [
  entryPointRule,
  inputSchemaRule,
  limitRule,
  networkRule,
  uncheckedStatusRule,
  asyncMisuseRule,
  undefinedPropertyRule,
  notAFunctionRule,
  outputSchemaRule,
  thrownRule,
];
