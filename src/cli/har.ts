import type { HttpExchange } from "../engine/index.ts";

const pairs = (record: Record<string, string>) => Object.entries(record).map(([name, value]) => ({ name, value }));

/** The guest's HTTP exchanges as a HAR 1.2 log, readable by browser devtools and HAR viewers. */
export function toHar(exchanges: HttpExchange[], version: string): object {
  return {
    log: {
      version: "1.2",
      creator: { name: "ratchet", version },
      entries: exchanges.map((exchange) => {
        const url = new URL(exchange.request.url);
        const requestType = Object.entries(exchange.request.headers).find(([k]) => k.toLowerCase() === "content-type")?.[1];
        const response = exchange.response;
        return {
          startedDateTime: exchange.startedAt,
          time: exchange.durationMs,
          request: {
            method: exchange.request.method,
            url: exchange.request.url,
            httpVersion: "HTTP/1.1",
            headers: pairs(exchange.request.headers),
            queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
            cookies: [],
            headersSize: -1,
            bodySize: exchange.request.body?.length ?? 0,
            ...(exchange.request.body !== null ? { postData: { mimeType: requestType ?? "text/plain", text: exchange.request.body } } : {}),
          },
          response: {
            status: response?.status ?? 0,
            statusText: response?.statusText ?? "",
            httpVersion: "HTTP/1.1",
            headers: pairs(response?.headers ?? {}),
            cookies: [],
            content: { size: response?.body.length ?? 0, mimeType: response?.headers["content-type"] ?? "", text: response?.body ?? "" },
            redirectURL: "",
            headersSize: -1,
            bodySize: response?.body.length ?? -1,
            ...(exchange.error ? { _error: exchange.error } : {}),
          },
          cache: {},
          timings: { send: 0, wait: exchange.durationMs, receive: 0 },
        };
      }),
    },
  };
}
