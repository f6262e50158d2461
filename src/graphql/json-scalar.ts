import { GraphQLScalarType, valueFromASTUntyped } from "graphql";

/** Any JSON value, passed through as it is (inputs are checked by the task's or the request's JSON Schema, not here). */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
