/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short words. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The known word a misspelling most likely meant (case ignored), or undefined when none is close. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  // About one slip per four letters, at least one: "sting" → "string", "requred" → "required".
  const allowed = Math.max(1, Math.floor(word.length / 4));
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d <= allowed && (!best || d < best.distance)) best = { word: candidate, distance: d };
  }
  return best?.word;
}

/** ` did you mean "x"?` when a known word is close, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  const match = closest(word, known);
  return match === undefined ? "" : `; did you mean "${match}"?`;
}
