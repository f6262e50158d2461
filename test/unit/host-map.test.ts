import { describe, expect, it } from "vitest";
import { HostMapError, mapUrl, parseHostMap } from "../../src/ops/host-map.ts";

describe("RATCHET_HOST_MAP", () => {
  const map = parseHostMap("api.openweathermap.org=http://127.0.0.1:8001, httpbin.org:8443=http://127.0.0.1:8002/ignored/path");

  it("replaces scheme, host and port of a mapped host, keeping path and query", () => {
    expect(mapUrl(map, "https://api.openweathermap.org/data/2.5/weather?q=S%C3%A3o+Paulo&units=metric")).toBe(
      "http://127.0.0.1:8001/data/2.5/weather?q=S%C3%A3o+Paulo&units=metric",
    );
    expect(mapUrl(map, "https://httpbin.org:8443/anything")).toBe("http://127.0.0.1:8002/anything");
  });

  it("leaves other hosts, and a host mapped only with another port, alone", () => {
    expect(mapUrl(map, "https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(mapUrl(map, "https://httpbin.org/get")).toBe("https://httpbin.org/get");
    expect(mapUrl(parseHostMap(undefined), "https://httpbin.org/get")).toBe("https://httpbin.org/get");
  });

  it("refuses an entry that is not HOST=ORIGIN, naming it", () => {
    expect(() => parseHostMap("api.example.com")).toThrow(HostMapError);
    expect(() => parseHostMap("a.example=http://127.0.0.1:1,b.example=not a url")).toThrow(/"b\.example=not a url" is not HOST=ORIGIN/);
  });
});
