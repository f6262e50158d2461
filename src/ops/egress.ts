import { lookup } from "node:dns/promises";
import { parseAllowList, type EgressOptions } from "../engine/index.ts";
import { parseHostMap } from "./host-map.ts";

/** What local hosts (CLI, `ratchet serve`, the MCP hosts) open when RATCHET_EGRESS_ALLOW is unset: loopback. */
export const LOCAL_EGRESS_DEFAULT = "localhost,*.localhost,127.0.0.0/8,[::1]";

/** The RATCHET_EGRESS_ALLOW a local host uses: the environment's, or the loopback default. */
export function localEgressAllow(): string {
  return process.env.RATCHET_EGRESS_ALLOW ?? LOCAL_EGRESS_DEFAULT;
}

/** Where this process itself listens (the MCP HTTP host): tasks may not call it. */
const ownHosts = new Set<string>();

export function addOwnHost(host: string): void {
  ownHosts.add(host);
}

/** One line for a host's start: what egress is open, and how to change it. */
export function egressNotice(): string {
  return process.env.RATCHET_EGRESS_ALLOW === undefined
    ? "Ratchet: tasks may fetch loopback addresses (127.0.0.0/8, ::1, localhost) and the public internet; RATCHET_EGRESS_ALLOW=host,... replaces that default."
    : `Ratchet: RATCHET_EGRESS_ALLOW=${process.env.RATCHET_EGRESS_ALLOW}: tasks may fetch those and the public internet, no other private or loopback address.`;
}

/**
 * The egress rules of a local process. Names are resolved (dns.lookup, as fetch will) so that
 * one resolving to a refused address is refused too; names RATCHET_HOST_MAP sends to a local
 * stand-in are not resolved, as the guard judges the host the task asked for.
 */
export function localEgress(): EgressOptions {
  const mapped = parseHostMap(process.env.RATCHET_HOST_MAP);
  return {
    allow: parseAllowList(localEgressAllow(), "RATCHET_EGRESS_ALLOW"),
    ownHosts: () => ownHosts,
    resolve: async (hostname) => {
      if ([...mapped.keys()].some((key) => key === hostname || key.startsWith(`${hostname}:`))) return [];
      return (await lookup(hostname, { all: true })).map((entry) => entry.address);
    },
  };
}
