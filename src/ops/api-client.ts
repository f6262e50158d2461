import { UsageError } from "./errors.ts";

export interface ApiOptions {
  url?: string;
  token?: string;
}

/** Nothing answered at the Ratchet's address (refused, no such host, reset). */
export class ApiUnreachableError extends Error {
  override name = "ApiUnreachableError";
  /** The API base that was tried, e.g. http://127.0.0.1:8787/api/v1. */
  readonly url: string;
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${url}: ${(cause as Error).cause ?? (cause as Error).message}`, { cause });
    this.url = url;
  }
}

export interface ApiReply {
  status: number;
  headers: Headers;
  body: any;
}

/** Talks to a running Ratchet Worker's /api/v1. The token comes from --token or RATCHET_API_TOKEN. */
export class ApiClient {
  private readonly base: string;
  private readonly token: string | undefined;

  constructor(options: ApiOptions) {
    const url = options.url ?? process.env.RATCHET_URL;
    if (!url) throw new UsageError("missing --url (or RATCHET_URL): the address of a running Ratchet, e.g. http://127.0.0.1:8787");
    try {
      this.base = new URL("/api/v1", url).href;
    } catch {
      throw new UsageError(`--url ${url} is not a URL`);
    }
    this.token = options.token ?? process.env.RATCHET_API_TOKEN;
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiUnreachableError(this.base, error);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}

/** "code: message" of an API error envelope, for printing. */
export function describeApiError(reply: ApiReply): string {
  const error = (reply.body as { error?: { code: string; message: string } })?.error;
  return error ? `${reply.status} ${error.code}: ${error.message}` : `HTTP ${reply.status}: ${String(reply.body).slice(0, 200)}`;
}
