import { describe, expect, it } from "vitest";
import { ASSETS_PATH, graphiqlAsset, graphiqlPage } from "../../src/graphql/graphiql.ts";

/** What no GraphiQL asset may load from: the CDNs Yoga's own page uses, and font hosts. */
const CDN = /https?:\/\/(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com)/;

// The Worker serves these (test/workers/graphql.test.ts checks the page through it); a module of
// several MB cannot cross the workers test pool's WebSocket, so their contents are checked here.
describe("GraphiQL assets", () => {
  it("serves every file the page names, none of them loading from a CDN", async () => {
    const html = graphiqlPage("/graphql");
    const paths = [...html.matchAll(/"(\/graphql\/graphiql\/[^"]+)"/g)].map((m) => m[1]!);
    expect(paths.length).toBe(6);
    for (const path of paths) {
      expect(path.startsWith(`${ASSETS_PATH}/`)).toBe(true);
      const response = await graphiqlAsset(path.slice(ASSETS_PATH.length + 1));
      expect(response?.status, path).toBe(200);
      const body = await response!.text();
      expect(body.length, path).toBeGreaterThan(1000);
      if (!path.endsWith(".ico")) expect(body, path).not.toMatch(CDN);
    }
    expect((await graphiqlAsset("favicon.ico"))!.headers.get("content-type")).toBe("image/x-icon");
    expect(await graphiqlAsset("../package.json")).toBeUndefined();
  });
});
