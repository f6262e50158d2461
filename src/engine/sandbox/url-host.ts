/** The parts of a parsed URL the guest's URL class reads, as the host's WHATWG URL gives them. */
const PARTS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"] as const;
/** What the guest may set on a URL (`href` is a fresh parse). */
const SETTABLE = new Set<string>(PARTS.filter((part) => part !== "origin" && part !== "href"));

interface UrlOperation {
  input: string;
  base?: string;
  set?: string;
  value?: string;
}

/**
 * Host side of the guest's URL: parses with the platform's own WHATWG URL (Node, workerd and
 * Deno implement the same standard) and answers with the parts as JSON text, or "null" when
 * the input does not parse. Only strings cross, and parsing is pure, so a repeated run gets
 * the same answers without recording them.
 */
export function urlOperation(requestText: string): string {
  const operation = JSON.parse(requestText) as UrlOperation;
  if (typeof operation.input !== "string" || (operation.base !== undefined && typeof operation.base !== "string")) return "null";
  let url: URL;
  try {
    url = operation.base === undefined ? new URL(operation.input) : new URL(operation.input, operation.base);
  } catch {
    return "null";
  }
  if (operation.set !== undefined) {
    if (!SETTABLE.has(operation.set) || typeof operation.value !== "string") return "null";
    (url as unknown as Record<string, string>)[operation.set] = operation.value;
  }
  return JSON.stringify(Object.fromEntries(PARTS.map((part) => [part, url[part]])));
}
