/**
 * A development version for content saved under a version string that is deployed already with
 * other content: versions are immutable, so `1.0.0` edited becomes `1.0.0+dev.<12 hex of the
 * edited content's hash>`. The same content always gets the same version, and its base stays the
 * author's. `ratchet serve` (edited folders) and the MCP tools on the Worker (saved tasks) use it.
 */
export function devVersion(version: string, hash: string): string {
  return `${version.split("+")[0]}+dev.${hash.replace(/^sha256:/, "").slice(0, 12)}`;
}
