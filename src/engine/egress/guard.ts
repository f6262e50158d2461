import { CLASS_LABEL, classifyIp, classifyName, parseIp, type AddressClass } from "./address.ts";
import { entryMatches, type AllowEntry, type Target } from "./allow-list.ts";

/** A host's name resolver (Node's dns.lookup, Deno.resolveDns): every address a name stands for. */
export type Resolve = (hostname: string) => Promise<string[]>;

/** The deployment's side of the rules, given by each host when it creates the engine. */
export interface EgressOptions {
  /** Entries that open refused addresses (RATCHET_EGRESS_ALLOW, or the host's default when it is unset). */
  allow: AllowEntry[];
  /** Where the setting came from, for refusals: how to allow something. */
  allowSource?: string;
  /** The platform's own hosts (`host:port`), refused whatever `allow` says; read at each check. */
  ownHosts?: () => Iterable<string>;
  /** Where the host can resolve names, names that resolve to refused addresses are refused too. */
  resolve?: Resolve;
}

/** A refused request: the message names the rule and how to allow it. */
export class EgressRefusal {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

/** The host, port and IP literal (if any) of a URL, as allow-list entries match them. */
export function targetOf(url: URL): Target {
  const bare = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const hostname = bare.endsWith(".") ? bare.slice(0, -1) : bare;
  return { hostname, port: url.port || DEFAULT_PORT[url.protocol] || "", address: parseIp(hostname) };
}

function hostPort(target: Target): string {
  return `${target.address?.version === 6 ? `[${target.hostname}]` : target.hostname}:${target.port}`;
}

/**
 * The egress guard: judges each URL a task asks for (and each redirect) before any connection.
 * Refused always: schemes other than http and https, credentials in the URL, line breaks in
 * headers, the platform's own host. Refused unless the deployment allows them: loopback,
 * private, CGNAT, link-local, metadata and 0.0.0.0/8 addresses, by any spelling the URL parser
 * reads, and names that resolve to them. With a task allow list, only the hosts it names.
 */
export class EgressGuard {
  private readonly options: EgressOptions;
  private readonly taskAllow: AllowEntry[] | undefined;

  constructor(options: EgressOptions, taskAllow?: AllowEntry[]) {
    this.options = options;
    this.taskAllow = taskAllow;
  }

  /** Checks headers: a CR or LF would let a task write its own header lines. */
  checkHeaders(headers: Record<string, string>): EgressRefusal | undefined {
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
        return new EgressRefusal(`refused: header ${JSON.stringify(name)} contains a line break (CR or LF); header names and values must be one line`);
      }
    }
    return undefined;
  }

  /** Judges a URL; `waitMs` bounds name resolution. */
  async check(url: URL, waitMs: number): Promise<EgressRefusal | undefined> {
    const refused = this.checkUrl(url);
    if (refused || !this.options.resolve) return refused;
    const target = targetOf(url);
    if (target.address) return undefined;
    for (const address of await this.resolveWithin(target.hostname, waitMs)) {
      const parsed = parseIp(address);
      if (!parsed) continue;
      const verdict = this.checkAddress({ ...target, address: parsed }, `${target.hostname} resolves to ${address}, which is`);
      if (verdict) return verdict;
    }
    return undefined;
  }

  /** The decision without name resolution: what every host, the Worker included, refuses. */
  checkUrl(url: URL): EgressRefusal | undefined {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return new EgressRefusal(`refused: only http and https URLs can be fetched, not ${url.protocol}`);
    }
    if (url.username || url.password) {
      return new EgressRefusal("refused: the URL carries credentials (user:password@host); send them in an Authorization header instead");
    }
    const target = targetOf(url);
    if (this.taskAllow && !this.taskAllow.some((entry) => entryMatches(entry, target))) {
      const names = this.taskAllow.map((entry) => entry.text).join(", ") || "nothing";
      return new EgressRefusal(
        `refused: ${hostPort(target)} is not in this task's network.allow (${names}). Add "${target.hostname}" to network.allow in metadata.json`,
      );
    }
    const named = classifyName(target.hostname);
    return this.checkAddress(target, `${target.hostname} is`, named);
  }

  private checkAddress(target: Target, subject: string, named?: AddressClass): EgressRefusal | undefined {
    if (this.isOwnHost(target)) {
      return new EgressRefusal(`refused: ${hostPort(target)} is this platform's own host; a task may not call the platform it runs on`);
    }
    const kind = named ?? (target.address ? classifyIp(target.address) : undefined);
    if (!kind || this.options.allow.some((entry) => entryMatches(entry, target))) return undefined;
    const source = this.options.allowSource ?? "RATCHET_EGRESS_ALLOW";
    return new EgressRefusal(
      `refused: ${subject} ${CLASS_LABEL[kind]}. Allow it with ${source}=${target.hostname} (the deployment's setting; a task's network.allow cannot open it)`,
    );
  }

  private isOwnHost(target: Target): boolean {
    for (const own of this.options.ownHosts?.() ?? []) {
      let ownTarget: Target;
      try {
        ownTarget = targetOf(new URL(`http://${own}/`));
      } catch {
        continue;
      }
      if (ownTarget.port !== target.port) continue;
      if (ownTarget.hostname === target.hostname) return true;
      // The platform listening on a loopback or any-address socket is reached by every loopback spelling.
      const ownKind = classifyName(ownTarget.hostname) ?? (ownTarget.address ? classifyIp(ownTarget.address) : undefined);
      const kind = classifyName(target.hostname) ?? (target.address ? classifyIp(target.address) : undefined);
      if ((ownKind === "loopback" || ownKind === "unspecified") && kind === "loopback") return true;
    }
    return false;
  }

  private async resolveWithin(hostname: string, waitMs: number): Promise<string[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), Math.max(0, waitMs));
    });
    try {
      // A name that does not resolve is left to the fetch, which fails with its own reason.
      return await Promise.race([this.options.resolve!(hostname).catch(() => []), gaveUp]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
