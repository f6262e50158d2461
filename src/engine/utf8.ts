/**
 * Whether `text` takes more than `limit` bytes as UTF-8. A UTF-16 unit is at most 3 UTF-8
 * bytes, so most texts are answered from their length without being encoded.
 */
export function utf8Exceeds(text: string, limit: number): boolean {
  return text.length * 3 > limit && new TextEncoder().encode(text).byteLength > limit;
}
