/**
 * The no-sandbox reference for `npm run bench:worker`: the same Hono framework and the same
 * answer as POST /api/v1/run/addition, but no middleware, no D1, no R2 and no QuickJS. The
 * Worker's throughput is reported as a fraction of this one's.
 */
import { Hono } from "hono";

const app = new Hono();

app.post("/run", async (c) => {
  const input = await c.req.json<{ num1: number; num2: number }>();
  return c.json({ sum: input.num1 + input.num2 });
});

export default app;
