import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

function tag(error: unknown, code: string): void {
  if (error instanceof GraphQLError && error.extensions.code === undefined) (error.extensions as Record<string, unknown>).code = code;
}

/**
 * Errors in the document itself carry a code too, as every other error does: a document that
 * does not parse is `graphql_parse_failed`, one that does not fit the schema (an unknown field,
 * a wrong argument) `graphql_validation_failed`. Limits have tagged theirs already.
 */
export const documentErrorCodes: Plugin = {
  onParse: () => ({ result }) => tag(result, "graphql_parse_failed"),
  onValidate: () => ({ result }) => {
    for (const error of result) tag(error, "graphql_validation_failed");
  },
};
