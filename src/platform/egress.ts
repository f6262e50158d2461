import { parseAllowList, type EgressOptions } from "../engine/index.ts";
import type { Env } from "./env.ts";

/** Hosts this Worker has been reached at (its workers.dev name, custom domains, serve's host:port): a task may not call them. */
const ownHosts = new Set<string>();

/** Notes the host a request came to; the set stays small (a deployment has a handful of names). */
export function noteOwnHost(requestUrl: string): void {
  const { host } = new URL(requestUrl);
  if (ownHosts.size < 64) ownHosts.add(host);
}

/**
 * The Worker's egress rules: RATCHET_EGRESS_ALLOW (a secret or variable; `ratchet serve` passes
 * its loopback default) opens what it names, and nothing else is opened. The Worker cannot
 * resolve names; Cloudflare's own egress does not reach private networks (SECURITY.md).
 */
export function workerEgress(env: Env): EgressOptions {
  return { allow: parseAllowList(env.RATCHET_EGRESS_ALLOW ?? "", "RATCHET_EGRESS_ALLOW"), ownHosts: () => ownHosts };
}
