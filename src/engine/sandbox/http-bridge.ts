import { EgressRefusal, type EgressGuard } from "../egress/guard.ts";
import type { ExecutionLimits } from "../limits.ts";
import { isSecretName, REDACTED } from "../secrets.ts";
import type { RunGuard } from "./guard.ts";

/** The platform's fetch as the engine uses it: a Web-standard Request in, a Response out. */
export type FetchFunction = (request: Request) => Promise<Response>;

/** One guest request as the execution record keeps it: no headers, no bodies, secrets in URLs redacted. */
export interface HttpTraceEntry {
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  error?: string;
  /** Where redirects led, hop by hop (the last one answered, or was refused). */
  redirects?: string[];
}

/** Redirects followed by hand, each judged by the egress guard, at most this many per fetch. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A full request/response pair, kept only when the caller asks (ratchet run-once --record). */
export interface HttpExchange {
  startedAt: string;
  durationMs: number;
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response?: { status: number; statusText: string; headers: Record<string, string>; body: string };
  error?: string;
}

interface GuestRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/** A timer's wait, asked through the same channel as fetch so that repeated runs replay it. */
interface TimerWait {
  waitMs: number;
}

type GuestAnswer =
  | { status: number; statusText: string; url: string; headers: Record<string, string>; bodyText: string; isJson: boolean }
  | { error: { type: string; message: string } };

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = REDACTED;
      parsed.password = "";
    }
    for (const name of [...parsed.searchParams.keys()]) {
      if (isSecretName(name)) parsed.searchParams.set(name, REDACTED);
    }
    return parsed.toString();
  } catch {
    return url;
  }
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSecretName(k) ? REDACTED : v]));
}

/** Reads a body, refusing more than `max` bytes; undefined when it was too large. */
async function readLimited(response: Response, max: number): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array();
  // A declared length within the limit is read in one call; otherwise the stream is counted as it comes.
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isInteger(declared)) {
    if (declared > max) {
      await response.body.cancel();
      return undefined;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    return bytes.byteLength <= max ? bytes : undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Host side of the guest's synchronous fetch: takes the guest's request as JSON text, makes
 * it with the platform's fetch under the execution's limits, and answers with JSON text.
 * Timer waits come the same way, so they are recorded and replayed like fetches.
 */
export class HttpBridge {
  readonly trace: HttpTraceEntry[] = [];
  readonly exchanges: HttpExchange[] = [];
  private readonly encoder = new TextEncoder();

  private readonly fetchFn: FetchFunction;
  private readonly limits: ExecutionLimits;
  private readonly guard: RunGuard;
  private readonly recordExchanges: boolean;
  private readonly egress: EgressGuard | undefined;

  /** `egress` judges every request and redirect; none for a test's mocked fetch, which is not network. */
  constructor(fetchFn: FetchFunction, limits: ExecutionLimits, guard: RunGuard, recordExchanges: boolean, egress: EgressGuard | undefined) {
    this.fetchFn = fetchFn;
    this.limits = limits;
    this.guard = guard;
    this.recordExchanges = recordExchanges;
    this.egress = egress;
  }

  /** Answers a guest request: a fetch, or a wait for a timer (see guest-timers.ts). */
  async handle(requestText: string): Promise<string> {
    const request = JSON.parse(requestText) as GuestRequest | TimerWait;
    const answer = "waitMs" in request ? await this.wait(request.waitMs) : await this.perform(request);
    this.guard.resumed();
    return JSON.stringify(answer);
  }

  /** Waits for a timer to be due, within the wall-clock limit: a wait past it ends the run at once. */
  private async wait(ms: number): Promise<GuestAnswer | { waited: number }> {
    if (!(typeof ms === "number" && ms > 0)) return { waited: 0 };
    if (ms >= this.guard.remainingMs()) {
      const tripped = this.guard.trip("TimeLimitError", `Wall-clock limit of ${this.limits.wallMs} ms exceeded: a timer is due in ${Math.ceil(ms)} ms (wallMs)`, {
        limit: "wallMs",
        value: this.limits.wallMs,
      });
      return { error: { type: tripped.type, message: tripped.message } };
    }
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { waited: ms };
  }

  private async perform(request: GuestRequest): Promise<GuestAnswer> {
    if (this.trace.length >= this.limits.maxFetches) {
      const tripped = this.guard.trip("FetchLimitError", `More than ${this.limits.maxFetches} fetches in one execution (maxFetches)`, {
        limit: "maxFetches",
        value: this.limits.maxFetches,
      });
      return { error: { type: tripped.type, message: tripped.message } };
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { error: { type: "NetworkError", message: `Invalid URL ${JSON.stringify(request.url)}` } };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { error: { type: "NetworkError", message: `Only http and https URLs can be fetched, not ${url.protocol}` } };
    }

    const started = Date.now();
    const requestBytes = request.body === null ? 0 : this.encoder.encode(request.body).byteLength;
    const entry: HttpTraceEntry = { method: request.method, url: redactUrl(url.href), durationMs: 0, requestBytes, responseBytes: 0 };
    this.trace.push(entry);
    const exchange: HttpExchange | undefined = this.recordExchanges
      ? {
          startedAt: new Date(started).toISOString(),
          durationMs: 0,
          request: { method: request.method, url: entry.url, headers: redactHeaders(request.headers), body: request.body },
        }
      : undefined;
    if (exchange) this.exchanges.push(exchange);
    const finish = (answer: GuestAnswer): GuestAnswer => {
      entry.durationMs = Date.now() - started;
      if (exchange) exchange.durationMs = entry.durationMs;
      if ("error" in answer) {
        entry.error = answer.error.message.replace(`${request.method} ${entry.url} `, "");
        if (exchange) exchange.error = answer.error.message;
      }
      return answer;
    };

    const remaining = this.guard.remainingMs();
    if (remaining <= 0) return finish(this.wallLimit());
    const timeoutMs = Math.min(this.limits.fetchTimeoutMs, remaining);
    // The wait ends at the timeout whether or not the platform's fetch honours the signal:
    // Node's holds it through a WeakRef, and a garbage collection mid-wait loses the abort.
    const timeout = new AbortController();
    const { signal } = timeout;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timeout.abort();
        reject(new Error("timed out"));
      }, timeoutMs);
    });
    const refuse = (refusal: EgressRefusal): GuestAnswer => finish({ error: { type: "NetworkError", message: `${request.method} ${entry.url} ${refusal.message}` } });
    const headerRefusal = this.egress?.checkHeaders(request.headers);
    if (headerRefusal) return refuse(headerRefusal);
    try {
      const send = async (): Promise<{ response: Response; bytes: Uint8Array | undefined; finalUrl: string } | EgressRefusal> => {
        let current = url;
        let method = request.method;
        let headers = request.headers;
        let body = request.body === null || method === "GET" || method === "HEAD" ? undefined : request.body;
        for (let hop = 0; ; hop++) {
          const refusal = await this.egress?.check(current, this.guard.remainingMs());
          if (refusal) return refusal;
          const response = await this.fetchFn(new Request(current, { method, headers, body, signal, redirect: "manual" }));
          const location = response.headers.get("location");
          if (!this.egress || !REDIRECT_STATUSES.has(response.status) || location === null) {
            return { response, bytes: await readLimited(response, this.limits.maxResponseBytes), finalUrl: redactUrl(current.href) };
          }
          await response.body?.cancel();
          if (hop === MAX_REDIRECTS) return new EgressRefusal(`failed: more than ${MAX_REDIRECTS} redirects`);
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            return new EgressRefusal(`failed: redirect to an invalid Location ${JSON.stringify(location)}`);
          }
          (entry.redirects ??= []).push(redactUrl(next.href));
          // As browsers do: 303, and 301/302 after a POST, go on as a GET without the body;
          // credentials do not follow a redirect to another origin.
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
            if (method !== "HEAD") method = "GET";
            body = undefined;
          }
          if (next.origin !== current.origin) {
            headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !["authorization", "cookie", "proxy-authorization"].includes(name.toLowerCase())));
          }
          current = next;
        }
      };
      const sent = await Promise.race([send(), timedOut]);
      if (sent instanceof EgressRefusal) return refuse(sent);
      const { response, bytes, finalUrl } = sent;
      entry.status = response.status;
      if (bytes === undefined) {
        const tripped = this.guard.trip(
          "FetchLimitError",
          `Response from ${entry.url} is larger than ${this.limits.maxResponseBytes} bytes (maxResponseBytes)`,
          { limit: "maxResponseBytes", value: this.limits.maxResponseBytes },
        );
        return finish({ error: { type: tripped.type, message: tripped.message } });
      }
      entry.responseBytes = bytes.byteLength;
      const headers = Object.fromEntries(response.headers);
      const bodyText = new TextDecoder().decode(bytes);
      if (exchange) exchange.response = { status: response.status, statusText: response.statusText, headers: redactHeaders(headers), body: bodyText };
      const isJson = /\bjson\b/i.test(response.headers.get("content-type") ?? "");
      return finish({ status: response.status, statusText: response.statusText, url: finalUrl, headers, bodyText, isJson });
    } catch (error) {
      if (signal.aborted) {
        if (this.guard.remainingMs() <= 0) return finish(this.wallLimit());
        return finish({ error: { type: "NetworkError", message: `${request.method} ${entry.url} timed out after ${timeoutMs} ms` } });
      }
      return finish({ error: { type: "NetworkError", message: `${request.method} ${entry.url} failed: ${failureReason(error)}` } });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private wallLimit(): GuestAnswer {
    const tripped = this.guard.trip("TimeLimitError", `Wall-clock limit of ${this.limits.wallMs} ms exceeded while waiting for fetch (wallMs)`, {
      limit: "wallMs",
      value: this.limits.wallMs,
    });
    return { error: { type: tripped.type, message: tripped.message } };
  }
}

/**
 * Why a fetch failed, with the causes it wraps: Node says only "fetch failed" and keeps the
 * reason (connect ECONNREFUSED, getaddrinfo ENOTFOUND, a certificate error) in `cause`.
 */
export function failureReason(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ") || "unknown error";
}
