import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server on 127.0.0.1 for guest fetches in tests:
 *   GET  /json          {"hello":"world","query":{...}} as application/json
 *   GET  /text          plain text
 *   ANY  /echo          the request's method, headers and body as JSON
 *   GET  /status/:code  that status, with a JSON body
 *   GET  /slow?ms=N     answers after N ms with {slow, overlap}: the most /slow requests in flight at once while it was
 *   GET  /big?bytes=N   N bytes of text, with a content-length
 *   GET  /stream?bytes=N N bytes of text in 1 KiB chunks, without a content-length
 *   GET  /count         a counter that increases with every request
 *   ANY  /redirect?to=U[&status=N]  a redirect (302 unless N) to U
 *   GET  /hit?key=K[&status=N][&fail=F]  {key, count}: how many times K was requested, this time included;
 *                       answered with status N (default 200), or 503 for the first F requests of K
 */
export async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  let counter = 0;
  const hits = new Map<string, number>();
  const pendingSlow = new Set<{ overlap: number }>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (url.pathname === "/json") return json(200, { hello: "world", query: Object.fromEntries(url.searchParams) });
      if (url.pathname === "/text") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return res.end("plain text, ünïcödé");
      }
      if (url.pathname === "/echo") return json(200, { method: req.method, headers: req.headers, body });
      if (url.pathname.startsWith("/status/")) {
        const status = Number(url.pathname.split("/")[2]);
        return json(status, { status });
      }
      if (url.pathname === "/slow") {
        const record = { overlap: 1 };
        pendingSlow.add(record);
        for (const other of pendingSlow) other.overlap = Math.max(other.overlap, pendingSlow.size);
        const done = () => pendingSlow.delete(record);
        const timer = setTimeout(() => {
          done();
          json(200, { slow: true, overlap: record.overlap });
        }, Number(url.searchParams.get("ms") ?? 100));
        res.on("close", () => {
          clearTimeout(timer);
          done();
        });
        return;
      }
      if (url.pathname === "/big") {
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("x".repeat(Number(url.searchParams.get("bytes") ?? 1024)));
      }
      if (url.pathname === "/stream") {
        res.writeHead(200, { "content-type": "text/plain" });
        let left = Number(url.searchParams.get("bytes") ?? 1024);
        while (left > 0) {
          res.write("y".repeat(Math.min(1024, left)));
          left -= 1024;
        }
        return res.end();
      }
      if (url.pathname === "/count") return json(200, { count: ++counter });
      if (url.pathname === "/redirect") {
        res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: url.searchParams.get("to") ?? "/json" });
        return res.end();
      }
      if (url.pathname === "/hit") {
        const key = url.searchParams.get("key") ?? "";
        const count = (hits.get(key) ?? 0) + 1;
        hits.set(key, count);
        const status = count <= Number(url.searchParams.get("fail") ?? 0) ? 503 : Number(url.searchParams.get("status") ?? 200);
        return json(status, { key, count });
      }
      json(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
