import { describe, expect, it } from "vitest";
import { EgressGuard, parseAllowEntry, parseAllowList } from "../../src/engine/index.ts";

// Decisions only: nothing here sends a request anywhere.
const strict = new EgressGuard({ allow: [] });
const verdict = (guard: EgressGuard, url: string) => guard.checkUrl(new URL(url))?.message;

describe("egress guard: refused addresses, every spelling", () => {
  const refused: [string, RegExp][] = [
    ["http://127.0.0.1/", /127\.0\.0\.1 is a loopback address/],
    ["http://127.255.1.2:8080/x", /loopback/],
    ["http://2130706433/", /127\.0\.0\.1 is a loopback address/],
    ["http://0x7f000001/", /127\.0\.0\.1 is a loopback address/],
    ["http://0177.0.0.1/", /127\.0\.0\.1 is a loopback address/],
    ["http://127.1/", /127\.0\.0\.1 is a loopback address/],
    ["http://[::1]/", /::1 is a loopback address/],
    ["http://[::ffff:127.0.0.1]/", /loopback/],
    ["http://[::ffff:7f00:1]/", /loopback/],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", /loopback/],
    ["http://localhost:3000/", /localhost is a loopback address/],
    ["http://api.localhost/", /loopback/],
    ["http://10.0.0.5/", /10\.0\.0\.5 is a private address \(RFC 1918/],
    ["http://172.16.0.1/", /private/],
    ["http://172.31.255.255/", /private/],
    ["http://192.168.1.1/", /private/],
    ["http://[::ffff:192.168.1.1]/", /private/],
    ["http://[fc00::1]/", /private/],
    ["http://[fd12:3456::1]/", /private/],
    ["http://100.64.0.1/", /carrier-grade NAT/],
    ["http://100.127.255.254/", /carrier-grade NAT/],
    ["http://169.254.1.1/", /link-local/],
    ["http://[fe80::1]/", /link-local/],
    ["http://[febf::1]/", /link-local/],
    ["http://169.254.169.254/latest/meta-data/", /cloud metadata/],
    ["http://2852039166/", /169\.254\.169\.254 is a cloud metadata address/],
    ["http://[fd00:ec2::254]/", /cloud metadata/],
    ["http://metadata.google.internal/computeMetadata/v1/", /cloud metadata/],
    ["http://metadata.google.internal./", /cloud metadata/],
    ["http://0.0.0.0/", /this network/],
    ["http://0/", /this network/],
    ["http://0.1.2.3/", /this network/],
    ["http://[::]/", /this network/],
  ];
  for (const [url, reason] of refused) {
    it(`refuses ${url}`, () => {
      const message = verdict(strict, url);
      expect(message).toMatch(reason);
      expect(message).toMatch(/Allow it with RATCHET_EGRESS_ALLOW=/);
    });
  }

  const allowed = [
    "https://api.github.com/repos",
    "http://93.184.215.14/",
    "http://172.32.0.1/",
    "http://172.15.255.255/",
    "http://100.63.255.255/",
    "http://100.128.0.1/",
    "http://169.253.0.1/",
    "http://[2606:4700::1111]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[fe00::1]/",
    "http://notlocalhost.example/",
  ];
  for (const url of allowed) {
    it(`lets ${url} through`, () => expect(verdict(strict, url)).toBeUndefined());
  }
});

describe("egress guard: schemes, credentials, headers", () => {
  it("refuses schemes other than http and https", () => {
    expect(verdict(strict, "ftp://example.com/file")).toMatch(/only http and https URLs can be fetched, not ftp:/);
    expect(verdict(strict, "file:///etc/passwd")).toMatch(/not file:/);
  });

  it("refuses credentials in the URL, saying where they belong", () => {
    expect(verdict(strict, "https://user:secret@example.com/")).toMatch(/carries credentials.*Authorization header/);
    expect(verdict(strict, "https://user@example.com/")).toMatch(/carries credentials/);
  });

  it("refuses a CR or LF in a header name or value", () => {
    expect(strict.checkHeaders({ "x-a": "ok\r\nInjected: 1" })?.message).toMatch(/header "x-a" contains a line break/);
    expect(strict.checkHeaders({ "x-b\n": "ok" })?.message).toMatch(/line break/);
    expect(strict.checkHeaders({ "x-c": "fine" })).toBeUndefined();
  });
});

describe("egress guard: the deployment's allow list", () => {
  it("opens exactly what RATCHET_EGRESS_ALLOW names, by host, host:port, *.domain, IP and CIDR", () => {
    const guard = new EgressGuard({ allow: parseAllowList("10.0.0.5, internal.corp:8443, *.svc.local, 192.168.0.0/16, [::1]", "RATCHET_EGRESS_ALLOW") });
    expect(verdict(guard, "http://10.0.0.5/")).toBeUndefined();
    expect(verdict(guard, "http://167772165/")).toBeUndefined();
    expect(verdict(guard, "http://10.0.0.6/")).toMatch(/private/);
    expect(verdict(guard, "http://192.168.44.3/")).toBeUndefined();
    expect(verdict(guard, "http://[::1]:9000/")).toBeUndefined();
    expect(verdict(guard, "http://127.0.0.1/")).toMatch(/loopback/);
    expect(verdict(guard, "http://localhost/")).toMatch(/loopback/);
  });

  it("refuses a bad entry whole, naming it", () => {
    expect(() => parseAllowList("ok.example, not a host", "RATCHET_EGRESS_ALLOW")).toThrow(/entry "not a host"/);
    expect(parseAllowEntry("*.github.com:443")).toMatchObject({ kind: "suffix", suffix: "github.com", port: "443" });
    expect(parseAllowEntry("10.0.0.0/33")).toBeUndefined();
    expect(parseAllowEntry("host:99999")).toBeUndefined();
  });

  it("refuses the platform's own host even when loopback is open, by any loopback spelling", () => {
    const guard = new EgressGuard({ allow: parseAllowList("127.0.0.0/8,localhost", "test"), ownHosts: () => ["127.0.0.1:8787"] });
    expect(verdict(guard, "http://127.0.0.1:8787/api/v1/tasks")).toMatch(/127\.0\.0\.1:8787 is this platform's own host/);
    expect(verdict(guard, "http://localhost:8787/")).toMatch(/own host/);
    expect(verdict(guard, "http://127.1:8787/")).toMatch(/own host/);
    expect(verdict(guard, "http://127.0.0.1:9000/")).toBeUndefined();
    const deployed = new EgressGuard({ allow: [], ownHosts: () => ["ratchet.example.workers.dev"] });
    expect(verdict(deployed, "https://ratchet.example.workers.dev/api/v1/tasks")).toBeUndefined();
    expect(verdict(deployed, "http://ratchet.example.workers.dev/api/v1/tasks")).toMatch(/own host/);
  });
});

describe("egress guard: a task's network.allow", () => {
  const taskAllow = ["api.openweathermap.org", "*.github.com:443", "127.0.0.1"].map((text) => parseAllowEntry(text)!);
  const guard = new EgressGuard({ allow: parseAllowList("127.0.0.1", "test") }, taskAllow);

  it("lets only the hosts it names through", () => {
    expect(verdict(guard, "https://api.openweathermap.org/data/2.5")).toBeUndefined();
    expect(verdict(guard, "https://api.github.com/")).toBeUndefined();
    expect(verdict(guard, "http://api.github.com/")).toMatch(/api\.github\.com:80 is not in this task's network\.allow/);
    expect(verdict(guard, "https://github.com/")).toMatch(/not in this task's network\.allow.*Add "github\.com"/);
    expect(verdict(guard, "https://example.com/")).toMatch(/network\.allow \(api\.openweathermap\.org, \*\.github\.com:443, 127\.0\.0\.1\)/);
  });

  it("cannot open what the deployment refuses", () => {
    const opened = new EgressGuard({ allow: [] }, [parseAllowEntry("10.0.0.5")!]);
    expect(verdict(opened, "http://10.0.0.5/")).toMatch(/private address.*a task's network\.allow cannot open it/);
  });
});

describe("egress guard: names the host resolves", () => {
  const resolving = (answers: Record<string, string[]>, allow = "") =>
    new EgressGuard({ allow: parseAllowList(allow, "RATCHET_EGRESS_ALLOW"), resolve: async (name) => answers[name] ?? [] });

  it("refuses a name that resolves to a refused address, and opens it when the deployment names it", async () => {
    const answers = { "rebind.example": ["93.184.215.14", "10.1.2.3"], "public.example": ["93.184.215.14", "2606:4700::1111"], "mapped.example": ["::ffff:127.0.0.1"] };
    expect((await resolving(answers).check(new URL("http://rebind.example/"), 1000))?.message).toMatch(/rebind\.example resolves to 10\.1\.2\.3, which is a private address.*RATCHET_EGRESS_ALLOW=rebind\.example/);
    expect((await resolving(answers).check(new URL("http://mapped.example/"), 1000))?.message).toMatch(/loopback/);
    expect(await resolving(answers).check(new URL("http://public.example/"), 1000)).toBeUndefined();
    expect(await resolving(answers, "rebind.example").check(new URL("http://rebind.example/"), 1000)).toBeUndefined();
    expect(await resolving(answers, "10.0.0.0/8").check(new URL("http://rebind.example/"), 1000)).toBeUndefined();
  });

  it("leaves a name that does not resolve, or resolves too slowly, to the fetch", async () => {
    const failing = new EgressGuard({ allow: [], resolve: () => Promise.reject(new Error("ENOTFOUND")) });
    expect(await failing.check(new URL("http://nowhere.invalid/"), 1000)).toBeUndefined();
    const slow = new EgressGuard({ allow: [], resolve: () => new Promise(() => undefined) });
    expect(await slow.check(new URL("http://slow.example/"), 5)).toBeUndefined();
  });
});
