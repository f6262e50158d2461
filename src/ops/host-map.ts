/**
 * RATCHET_HOST_MAP="api.example.com=http://127.0.0.1:8080,httpbin.org=http://127.0.0.1:9000":
 * local runs send a guest's requests for those hosts to the given origins instead (path and
 * query kept), to test a task against a local stand-in of a real API. The egress guard has
 * judged the URL the task asked for before this runs, so a task's network.allow names real
 * hosts; the map's target is the operator's own choice and is not judged.
 */
export class HostMapError extends Error {
  override name = "HostMapError";
}

/** host (or host:port) → origin. */
export function parseHostMap(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of (text ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [host, target] = entry.split(/=(.*)/s, 2).map((part) => part?.trim());
    let origin: string | undefined;
    try {
      origin = target ? new URL(target).origin : undefined;
    } catch {
      origin = undefined;
    }
    if (!host || !origin || origin === "null") throw new HostMapError(`RATCHET_HOST_MAP entry "${entry}" is not HOST=ORIGIN, e.g. api.example.com=http://127.0.0.1:8080`);
    map.set(host.toLowerCase(), origin);
  }
  return map;
}

/** The URL with its scheme, host and port replaced when the map names its host:port or its host. */
export function mapUrl(map: Map<string, string>, url: string): string {
  if (map.size === 0) return url;
  const parsed = new URL(url);
  const origin = map.get(parsed.host) ?? map.get(parsed.hostname);
  return origin ? `${origin}${parsed.pathname}${parsed.search}` : url;
}
