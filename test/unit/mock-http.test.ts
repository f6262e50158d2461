import { describe, expect, it } from "vitest";
import { createMockHttp } from "../../src/engine/mock-http.ts";

describe("createMockHttp", () => {
  const mock = () =>
    createMockHttp([
      { method: "GET", url: "https://api.example.com/weather", response: { status: 200, body: { temp: 20 } } },
      { method: "POST", url: "https://api.example.com/items?kind=a&v=1", response: { status: 201, body: "made", headers: { "x-id": "7" } } },
    ]);

  it("matches by method and URL; a mock without a query string matches any query", async () => {
    const http = mock();
    const response = await http.fetch(new Request("https://api.example.com/weather?q=London&appid=k"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ temp: 20 });
    const posted = await http.fetch(new Request("https://api.example.com/items?v=1&kind=a", { method: "POST", body: "x" }));
    expect(posted.status).toBe(201);
    expect(await posted.text()).toBe("made");
    expect(posted.headers.get("x-id")).toBe("7");
    expect(http.unmatched).toEqual([]);
  });

  it("drops a body given for a status that cannot have one", async () => {
    const http = createMockHttp([{ method: "DELETE", url: "https://api.example.com/users/42", response: { status: 204, body: { deleted: true } } }]);
    const response = await http.fetch(new Request("https://api.example.com/users/42", { method: "DELETE" }));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("refuses and records requests no mock matches, naming method and URL", async () => {
    const http = mock();
    await expect(http.fetch(new Request("https://api.example.com/weather", { method: "DELETE" }))).rejects.toThrow(/DELETE https:\/\/api.example.com\/weather/);
    await expect(http.fetch(new Request("https://api.example.com/items?kind=b&v=1", { method: "POST", body: "x" }))).rejects.toThrow();
    expect(http.unmatched).toEqual(["DELETE https://api.example.com/weather", "POST https://api.example.com/items?kind=b&v=1"]);
  });
});
