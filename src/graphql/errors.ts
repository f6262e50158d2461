import { GraphQLError } from "graphql";
import { ApiError } from "../platform/errors.ts";

/**
 * What a resolver's failure becomes in the answer. The platform's typed errors keep their REST
 * code (extensions.code, the envelope's `code`), message and details; errors made here already
 * carry their code; anything else is an incident: logged, and answered without its text.
 */
export function maskError(error: unknown): Error {
  if (!(error instanceof GraphQLError)) return internal(error);
  const original = error.originalError;
  if (original === undefined || original instanceof GraphQLError) return error;
  if (original instanceof ApiError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { code: original.code, ...(original.details === undefined ? {} : { details: original.details }) },
    });
  }
  return internal(original, error);
}

function internal(cause: unknown, located?: GraphQLError): GraphQLError {
  console.error("graphql: unhandled error", cause);
  return new GraphQLError("Internal error; the incident was logged", { nodes: located?.nodes, path: located?.path, extensions: { code: "internal" } });
}
