import type { HttpTraceEntry } from "../../engine/index.ts";
import type { Rule } from "../types.ts";

type Kind = "timeout" | "dns" | "tls" | "refused" | "invalid_url" | "connection";

const KINDS: { kind: Kind; test: RegExp; cause: string; fixes: string[] }[] = [
  {
    kind: "timeout",
    test: /timed out/i,
    cause: "The server did not answer within the per-request timeout (fetchTimeoutMs, 10 s by default; `http.timeout` in the CLI's config).",
    fixes: ["Check that the API is up and answers quickly; ask for less per request (pagination, filters).", "Catch NetworkError around the call and fall back or throw a DataError the caller understands."],
  },
  {
    kind: "dns",
    test: /ENOTFOUND|EAI_AGAIN|getaddrinfo|name resolution|\bdns\b/i,
    cause: "The host name in the URL could not be resolved: a typo in the host, or a host that does not exist.",
    fixes: ["Correct the host name in the URL (compare with the API's documentation)."],
  },
  {
    kind: "tls",
    test: /certificate|\bssl\b|\btls\b|CERT_|handshake|EPROTO/i,
    cause: "The TLS connection failed: an invalid or self-signed certificate, or https:// to a server that speaks plain http.",
    fixes: ["Use the scheme the server speaks (http:// or https://).", "Certificates are always verified: the server needs a certificate from a public authority."],
  },
  {
    kind: "refused",
    test: /ECONNREFUSED|refused/i,
    cause: "Nothing listened at that host and port: the connection was refused.",
    fixes: ["Check the port and that the service is running.", "Catch NetworkError to report the outage as a clear error."],
  },
  {
    kind: "invalid_url",
    test: /Invalid URL|Only http and https/i,
    cause: "The URL is not a valid http(s) URL: often a missing scheme or an undefined value concatenated into it.",
    fixes: ["Build the URL with `new URL(path, base)` and check each part is defined; only http and https can be fetched."],
  },
];

const host = (url: string) => URL.parse(url)?.hostname ?? "";
const isIpLiteral = (name: string) => /^[\d.]+$|^\[?[0-9a-f:]+\]?$/i.test(name);

/**
 * A generic "fetch failed" carries no reason; the URL rules kinds out: no DNS for an IP
 * address, no TLS for http. When one kind is left, that is the kind.
 */
function connectionKinds(url: string | undefined): { kind: Kind; said: string }[] {
  const kinds: { kind: Kind; said: string }[] = [{ kind: "refused", said: "the connection was refused (nothing listens at that host and port)" }];
  if (url && !isIpLiteral(host(url))) kinds.push({ kind: "dns", said: "the host name did not resolve (DNS)" });
  if (url?.startsWith("https:")) kinds.push({ kind: "tls", said: "the TLS handshake failed (a bad certificate, or https to a plain-http server)" });
  return kinds;
}

/** A fetch that got no answer: NetworkError by kind. */
export const networkRule: Rule = ({ record }) => {
  if (record.error.type !== "NetworkError") return undefined;
  const failed: HttpTraceEntry[] = record.http.filter((h) => h.error !== undefined);
  const request = failed.at(-1);
  const text = `${record.error.message} ${request?.error ?? ""}`;
  const possible = connectionKinds(request?.url);
  const known = KINDS.find((k) => k.test.test(text)) ?? (possible.length === 1 ? KINDS.find((k) => k.kind === possible[0]!.kind) : undefined);
  const kind: Kind = known?.kind ?? "connection";
  return {
    rule: `network/${kind}`,
    meaning: "NetworkError: a fetch got no HTTP answer at all (refused, unreachable, timed out, or an invalid URL). An HTTP error status is not a NetworkError: fetch returns it with ok false.",
    cause:
      known?.cause ??
      `The request did not reach a server. The host's fetch gave no reason; for this URL it is one of: ${possible.map((p) => p.said).join("; ")}.`,
    fixes: [
      ...(known?.fixes ?? ["Check the URL's host, port and scheme; try it with curl from the machine that runs the task.", "Catch NetworkError around the call and report the outage clearly."]),
      "See every request with ratchet_get_execution_trace.",
    ],
    details: { kind, ...(kind === "connection" ? { possible_kinds: possible.map((p) => p.kind) } : {}), ...(request ? { request: { method: request.method, url: request.url, duration_ms: request.durationMs, error: request.error } } : {}) },
  };
};
