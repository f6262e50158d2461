/** D1 refused a write because a unique index already holds that key: somebody else won a race. */
export const isUniqueViolation = (error: unknown): boolean => /UNIQUE constraint failed/.test(`${error} ${(error as Error)?.cause ?? ""}`);
