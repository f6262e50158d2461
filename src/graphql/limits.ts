import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * Limits against abusive queries, checked before anything runs (all but `reads`). The schema has
 * cycles (an execution's schedule has runs, whose executions have a schedule…), so without them
 * one small document could ask for the same rows over and over.
 */
export const QUERY_LIMITS = {
  /** The longest path that reads nothing twice is task → executions → nodes → schedule → runs → last_execution → a field: 7. */
  depth: 7,
  /**
   * graphql-armor's cost: 1 per scalar, 2 per object, ×1.5 per level, × a literal `first`. A page
   * of 100 executions with every field costs about 5,100; tasks with their executions (50 × 20)
   * about 22,000, which is refused: read those per task with executions(task:) instead.
   */
  cost: 10_000,
  /** A dashboard asks for a few counts side by side (one alias each); ten is well past that and far from a batch attack. */
  aliases: 10,
  /** Every field of every type in one document is about 250 tokens; 1,000 leaves room for fragments and comments. */
  tokens: 1_000,
  /** @include/@skip on a handful of fields; more only serves to make validation slow. */
  directives: 10,
  /** Largest page (`first`); REST allows 200 per page, GraphQL nests pages so it stays at 100. */
  pageSize: 100,
  /**
   * Storage reads per request, counted as resolvers run (the static cost cannot see a variable
   * `first` or how long nested lists are): 300 is a page of 100 tasks with their versions and
   * schedules, and well inside the 1,000 D1 queries a Worker invocation may make.
   */
  reads: 300,
} as const;

/** What each armor rejection tells the caller to do instead. */
const ADVICE: Record<string, string> = {
  depth: "Ask for fewer nested levels; follow ids with a second query instead.",
  cost: "Ask for fewer items (a smaller `first`) or fewer fields, and page through the rest.",
  aliases: "Use fewer aliases; send separate requests instead.",
  tokens: "Send a shorter document.",
  directives: "Use fewer directives.",
};

/** Armor's errors read "Syntax Error: … limit … exceeded"; they get our code, the limit's name and the advice. */
function rejected(limit: keyof typeof ADVICE) {
  return [
    (_: unknown, error: GraphQLError) => {
      error.message = `${error.message.replace(/^Syntax Error: /, "")} ${ADVICE[limit]}`;
      Object.assign(error.extensions as Record<string, unknown>, { code: "query_limit", limit });
    },
  ];
}

/**
 * The armor. Field suggestions ("Did you mean …?") are blocked when access control is on: they
 * would spell out the schema to someone who may not be allowed to read it.
 */
export function armor(blockSuggestions: boolean): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: QUERY_LIMITS.depth, onReject: rejected("depth") },
    costLimit: { maxCost: QUERY_LIMITS.cost, onReject: rejected("cost") },
    maxAliases: { n: QUERY_LIMITS.aliases, onReject: rejected("aliases") },
    maxTokens: { n: QUERY_LIMITS.tokens, onReject: rejected("tokens") },
    maxDirectives: { n: QUERY_LIMITS.directives, onReject: rejected("directives") },
    blockFieldSuggestion: { enabled: blockSuggestions, mask: "" },
  }) as Plugin;
}
