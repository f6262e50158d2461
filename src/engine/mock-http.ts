import type { MockRequest } from "./documents.ts";
import type { FetchFunction } from "./sandbox/http-bridge.ts";

export interface MockHttp {
  fetch: FetchFunction;
  /** "METHOD URL" of every request no mock matched. */
  unmatched: string[];
}

function matches(mock: MockRequest, method: string, url: URL): boolean {
  if ((mock.method ?? "GET").toUpperCase() !== method) return false;
  let expected: URL;
  try {
    expected = new URL(mock.url);
  } catch {
    return false;
  }
  if (expected.origin !== url.origin || expected.pathname !== url.pathname) return false;
  // A mock URL without a query string matches any query string.
  if (expected.search === "") return true;
  const sorted = (u: URL) => [...u.searchParams].map(([k, v]) => `${k}=${v}`).sort().join("&");
  return sorted(expected) === sorted(url);
}

/**
 * A fetch that answers from a test's `mock_http.requests` and never touches the network.
 * A request matches a mock by method and URL; the first match answers.
 */
export function createMockHttp(requests: readonly MockRequest[]): MockHttp {
  const unmatched: string[] = [];
  const fetch: FetchFunction = async (request) => {
    const url = new URL(request.url);
    const mock = requests.find((candidate) => matches(candidate, request.method, url));
    if (!mock) {
      unmatched.push(`${request.method} ${request.url}`);
      throw new Error(`no mock_http request matches ${request.method} ${request.url}`);
    }
    const response = mock.response ?? {};
    const headers = new Headers(response.headers ?? {});
    let body: string | null = null;
    if (typeof response.body === "string") body = response.body;
    else if (response.body !== undefined) {
      body = JSON.stringify(response.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const status = response.status ?? 200;
    // These statuses cannot carry a body in the Fetch standard; a mock's body for them is dropped.
    const bodyless = status === 101 || status === 204 || status === 205 || status === 304;
    return new Response(bodyless ? null : body, { status, statusText: response.statusText ?? "", headers });
  };
  return { fetch, unmatched };
}
