import { inV4Range, inV6Range, parseIp, type IpAddress } from "./address.ts";

/**
 * One entry of RATCHET_EGRESS_ALLOW or of a task's `network.allow`: `host`, `host:port`,
 * `*.domain` (its subdomains, not the domain itself), an IP (`10.0.0.5`, `[::1]`, with a port
 * or not) or a CIDR range (`10.0.0.0/8`, `fc00::/7`).
 */
export type AllowEntry =
  | { kind: "name"; host: string; port?: string; text: string }
  | { kind: "suffix"; suffix: string; port?: string; text: string }
  | { kind: "range"; base: IpAddress; prefix: number; port?: string; text: string };

export class AllowListError extends Error {
  override name = "AllowListError";
}

const PORT = /^\d{1,5}$/;
const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** A host as the WHATWG URL parser writes it: lower case, IPv4 spellings made dotted, IPv6 bracketed and shortened. */
function normalHost(host: string): string | undefined {
  try {
    const hostname = new URL(`http://${host}/`).hostname;
    return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  } catch {
    return undefined;
  }
}

/** The entry as a checked rule; undefined when it is none of the accepted shapes. */
export function parseAllowEntry(text: string): AllowEntry | undefined {
  const entry = text.trim().toLowerCase();
  const slash = entry.indexOf("/");
  if (slash >= 0) {
    const base = parseIp(entry.slice(0, slash));
    const prefixText = entry.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!base || !(prefix <= (base.version === 4 ? 32 : 128))) return undefined;
    return { kind: "range", base, prefix, text };
  }
  let host = entry;
  let port: string | undefined;
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(entry);
  if (bracketed) [, host = "", port] = bracketed;
  else if ((entry.match(/:/g) ?? []).length === 1) [host = "", port] = entry.split(":");
  else if (entry.includes(":")) host = `[${entry}]`;
  if (port !== undefined && !(PORT.test(port) && Number(port) <= 65535)) return undefined;
  if (port !== undefined) port = String(Number(port));
  if (host.startsWith("*.")) {
    const suffix = host.slice(2);
    if (!suffix.split(".").every((label) => LABEL.test(label))) return undefined;
    return { kind: "suffix", suffix, port, text };
  }
  const address = parseIp(host);
  if (address) return { kind: "range", base: address, prefix: address.version === 4 ? 32 : 128, port, text };
  const normal = normalHost(host);
  if (!normal || !normal.split(".").every((label) => LABEL.test(label))) return undefined;
  const parsed = parseIp(normal);
  if (parsed) return { kind: "range", base: parsed, prefix: parsed.version === 4 ? 32 : 128, port, text };
  return { kind: "name", host: normal, port, text };
}

/** Parses a comma-separated list (RATCHET_EGRESS_ALLOW), refusing it whole on any bad entry. */
export function parseAllowList(text: string, source: string): AllowEntry[] {
  const entries: AllowEntry[] = [];
  for (const item of text.split(",").map((e) => e.trim()).filter(Boolean)) {
    const entry = parseAllowEntry(item);
    if (!entry) {
      throw new AllowListError(`${source} entry "${item}" is not host, host:port, *.domain, an IP or a CIDR range (e.g. api.example.com, *.github.com:443, 10.0.0.0/8)`);
    }
    entries.push(entry);
  }
  return entries;
}

/** What is being reached: the URL's host name (no brackets, no trailing dot), its port, and the address judged, if any. */
export interface Target {
  hostname: string;
  port: string;
  address?: IpAddress;
}

function inRange(address: IpAddress, base: IpAddress, prefix: number): boolean {
  if (address.version === 4 && base.version === 4) return inV4Range(address.value, base.value, prefix);
  if (address.version === 6 && base.version === 6) return inV6Range(address.value, base.value, prefix);
  return false;
}

export function entryMatches(entry: AllowEntry, target: Target): boolean {
  if (entry.port !== undefined && entry.port !== target.port) return false;
  if (entry.kind === "name") return entry.host === target.hostname;
  if (entry.kind === "suffix") return target.hostname.endsWith(`.${entry.suffix}`);
  return target.address !== undefined && inRange(target.address, entry.base, entry.prefix);
}
