import { createTwoFilesPatch } from "diff";

/**
 * Deep subset match: every key `expected` gives must match in `actual`, keys it leaves out
 * are ignored; arrays must have the same length and match element by element.
 */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => matchesSubset(item, actual[i]));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => key in record && matchesSubset(value, record[key]));
  }
  return Object.is(expected, actual) || expected === actual;
}

/** `actual` cut down to the keys `expected` names, so a diff shows only what was compared. */
function projectOnto(expected: unknown, actual: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((item, i) => (i < expected.length ? projectOnto(expected[i], item) : item));
  }
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected) && actual !== null && typeof actual === "object" && !Array.isArray(actual)) {
    const record = actual as Record<string, unknown>;
    const projected: Record<string, unknown> = {};
    for (const key of Object.keys(expected)) {
      if (key in record) projected[key] = projectOnto((expected as Record<string, unknown>)[key], record[key]);
    }
    return projected;
  }
  return actual;
}

/** A unified diff of expected against actual (only the compared parts), "-" expected, "+" actual. */
export function diffExpected(expected: unknown, actual: unknown): string {
  const pretty = (value: unknown) => `${JSON.stringify(value, null, 2) ?? "undefined"}\n`;
  const patch = createTwoFilesPatch("expected", "actual", pretty(expected), pretty(projectOnto(expected, actual)), "", "", { context: 3 });
  return patch
    .split("\n")
    .filter((line) => !line.startsWith("===") && !line.startsWith("Index:") && !line.startsWith("\\"))
    .join("\n")
    .trimEnd();
}
