/**
 * Classifies an IP address (as the WHATWG URL parser writes it, or as a resolver answers) into
 * the ranges a task may not reach by default. Pure arithmetic: IPv4 as a 32-bit number, IPv6 as
 * a 128-bit bigint, so every spelling the parser normalised compares the same.
 */
export type AddressClass = "loopback" | "private" | "shared" | "link-local" | "metadata" | "unspecified";

/** What each class is, as a refusal says it. */
export const CLASS_LABEL: Record<AddressClass, string> = {
  loopback: "a loopback address",
  private: "a private address (RFC 1918 / fc00::/7)",
  shared: "a carrier-grade NAT address (100.64.0.0/10)",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: 'an address of "this network" (0.0.0.0/8 or ::)',
};

export type IpAddress = { version: 4; value: number } | { version: 6; value: bigint };

/** Dotted-quad IPv4 only (the URL parser has already turned 127.1, 0x7f000001 and 2130706433 into it). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((sum, p) => sum * 256 + Number(p), 0);
}

/** An IPv6 address without brackets, with `::` and a trailing dotted IPv4 allowed. */
export function parseIPv6(text: string): bigint | undefined {
  let body = text.toLowerCase();
  const zone = body.indexOf("%");
  if (zone >= 0) body = body.slice(0, zone);
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    // A trailing dotted IPv4 (::ffff:127.0.0.1) stands for its last two groups.
    const embedded = parseIPv4(last);
    if (embedded === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(embedded >>> 16).toString(16)}:${(embedded & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const words = [...head, ...Array<string>(8 - known).fill("0"), ...rest].map((g) => parseInt(g, 16));
  return words.reduce((sum, w) => (sum << 16n) | BigInt(w), 0n);
}

/** An IP literal, bracketed or not; undefined for a name. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIPv4(bare);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = bare.includes(":") ? parseIPv6(bare) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

const v4 = (text: string) => parseIPv4(text)!;
const V4_RANGES: [number, number, AddressClass][] = [
  [v4("169.254.169.254"), 32, "metadata"],
  [v4("0.0.0.0"), 8, "unspecified"],
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("10.0.0.0"), 8, "private"],
  [v4("172.16.0.0"), 12, "private"],
  [v4("192.168.0.0"), 16, "private"],
  [v4("100.64.0.0"), 10, "shared"],
  [v4("169.254.0.0"), 16, "link-local"],
];
const v6 = (text: string) => parseIPv6(text)!;
const V6_RANGES: [bigint, number, AddressClass][] = [
  [v6("fd00:ec2::254"), 128, "metadata"],
  [v6("::1"), 128, "loopback"],
  [v6("::"), 128, "unspecified"],
  [v6("fc00::"), 7, "private"],
  [v6("fe80::"), 10, "link-local"],
];
/** IPv6 prefixes that carry an IPv4 address in their last 32 bits: mapped, compatible, NAT64. */
const EMBEDDING_V4: [bigint, number][] = [
  [v6("::ffff:0:0"), 96],
  [v6("::"), 96],
  [v6("64:ff9b::"), 96],
];

export function inV4Range(address: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true; // `>>> 32` shifts by nothing in JavaScript
  const shift = 32 - prefix;
  return address >>> shift === base >>> shift;
}

export function inV6Range(address: bigint, base: bigint, prefix: number): boolean {
  const shift = BigInt(128 - prefix);
  return address >> shift === base >> shift;
}

/** The refused class an address is in, or undefined for an address on the public internet. */
export function classifyIp(address: IpAddress): AddressClass | undefined {
  if (address.version === 4) return V4_RANGES.find(([base, prefix]) => inV4Range(address.value, base, prefix))?.[2];
  const direct = V6_RANGES.find(([base, prefix]) => inV6Range(address.value, base, prefix))?.[2];
  if (direct) return direct;
  if (EMBEDDING_V4.some(([base, prefix]) => inV6Range(address.value, base, prefix))) {
    return classifyIp({ version: 4, value: Number(address.value & 0xffffffffn) });
  }
  return undefined;
}

/** Names that mean a refused address wherever they are resolved. */
export function classifyName(hostname: string): AddressClass | undefined {
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return "loopback";
  if (hostname === "metadata.google.internal" || hostname === "metadata.goog") return "metadata";
  return undefined;
}
