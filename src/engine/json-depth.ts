/**
 * How deeply arrays and objects may nest in JSON that Ratchet takes in: far beyond real data,
 * and well within the stack that JSON.stringify, hashing and schema checks need in every host
 * (Node's JSON.stringify overflows at about 5,000 levels).
 */
export const MAX_JSON_DEPTH = 512;

/** Whether a value nests deeper than `max` arrays and objects; walked without recursion, since the value may be deeper than the stack. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export const TOO_NESTED = `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`;
