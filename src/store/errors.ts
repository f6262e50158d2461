/** D1 refused a write because a unique index already holds that key: somebody else won a race. */
export const isUniqueViolation = (error: unknown): boolean => /UNIQUE constraint failed/.test(`${error} ${(error as Error)?.cause ?? ""}`);

/** D1 refused a row itself (NOT NULL, CHECK, UNIQUE...): writing it again cannot succeed. */
export const isConstraintViolation = (error: unknown): boolean => /constraint failed/i.test(`${error} ${(error as Error)?.cause ?? ""}`);
