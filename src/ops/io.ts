import { mapUrl, parseHostMap } from "./host-map.ts";

/** Where a command writes: results to stdout, logs and diagnostics to stderr. Tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

let hostMap: Map<string, string> | undefined;

/** The platform's fetch for local runs; RATCHET_HOST_MAP redirects hosts to local stand-ins (host-map.ts). */
export const platformFetch = async (request: Request): Promise<Response> => {
  hostMap ??= parseHostMap(process.env.RATCHET_HOST_MAP);
  const url = mapUrl(hostMap, request.url);
  if (url === request.url) return fetch(request);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return fetch(url, { method: request.method, headers: request.headers, body, redirect: request.redirect, signal: request.signal });
};
