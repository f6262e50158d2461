/** The p-th percentile (0-100) of values by the nearest-rank method; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Rounded to hundredths of a millisecond, as the engine reports timings. */
export const round2 = (value: number): number => Math.round(value * 100) / 100;
