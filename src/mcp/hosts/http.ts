import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { createMcpHandler, localhostAllowedHostnames, validateHostHeader, validateOriginHeader, type McpServer } from "@modelcontextprotocol/server";

export interface McpHttpOptions {
  /** A fresh server for each request: never one shared between requests. */
  factory: () => McpServer;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** HTTP requests served at once (mcp.max_connections); more are answered 503. */
  maxConnections?: number;
  onError(error: Error): void;
}

export interface McpHttpHost {
  /** The endpoint, e.g. http://127.0.0.1:3001/mcp. */
  url: string;
  close(): Promise<void>;
}

export const MCP_PATH = "/mcp";

/** The Host and Origin names served (DNS-rebinding protection): loopback, plus the host we were told to listen on. */
export function allowedHostnames(listenHost: string): string[] {
  const own = listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost.toLowerCase();
  return [...new Set([...localhostAllowedHostnames(), own])];
}

/** Why a request is refused before it reaches MCP, or undefined when it may pass (checks by the SDK's validators). */
function refusal(req: IncomingMessage, allowed: string[]): string | undefined {
  const host = validateHostHeader(req.headers.host, allowed);
  if (!host.ok) return `${host.message} (this server answers Host ${allowed.join(", ")})`;
  const origin = validateOriginHeader(req.headers.origin, allowed);
  if (!origin.ok) return `${origin.message} (this server answers pages from ${allowed.join(", ")})`;
  return undefined;
}

function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", base), {
    method: req.method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) {
    const reader = response.body.getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) res.write(part.value);
  }
  res.end();
}

/** Streamable HTTP on a Node http server: each request becomes a Web Request for the SDK's fetch handler. */
export async function startMcpHttp(options: McpHttpOptions): Promise<McpHttpHost> {
  const handler = createMcpHandler(() => options.factory(), { onerror: options.onError });
  const allowed = allowedHostnames(options.host);
  let inFlight = 0;
  const server = createServer((req, res) => {
    const refused = refusal(req, allowed);
    if (refused !== undefined) return answer(res, 403, refused);
    if (new URL(req.url ?? "/", "http://x").pathname !== MCP_PATH) return answer(res, 404, `MCP is served at ${MCP_PATH}`);
    if (options.maxConnections !== undefined && inFlight >= options.maxConnections) {
      return answer(res, 503, `busy: ${inFlight} requests in progress, the most mcp.max_connections allows; retry shortly`, { "retry-after": "1" });
    }
    inFlight++;
    const controller = new AbortController();
    res.on("close", () => {
      inFlight--;
      if (!res.writableFinished) controller.abort();
    });
    handler
      .fetch(toRequest(req, `http://${req.headers.host}`, controller.signal))
      .then((response) => send(res, response))
      .catch((error: Error) => {
        if (controller.signal.aborted) return;
        options.onError(error);
        if (res.headersSent) res.destroy();
        else answer(res, 500, "the request could not be served; see the server's stderr");
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}${MCP_PATH}`,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
