import type { Context } from "hono";
import { script, style } from "./generated/assets.ts";

const FILES: Record<string, { text: string; type: string }> = {
  [`app.${script.hash}.js`]: { text: script.text, type: "text/javascript; charset=utf-8" },
  [`app.${style.hash}.css`]: { text: style.text, type: "text/css; charset=utf-8" },
};

/** The dashboard's script and stylesheet, shipped inside the Worker; their names carry a content hash, so they are cached for good. */
export function serveAsset(c: Context): Response {
  const file = FILES[c.req.param("file") ?? ""];
  if (!file) return c.text("No such asset", 404);
  return new Response(file.text, { headers: { "content-type": file.type, "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" } });
}
