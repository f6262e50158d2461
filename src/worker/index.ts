import { createApp } from "./app.ts";

const app = createApp();

/** The Worker: the Hono app serves HTTP. */
export default {
  fetch: app.fetch,
};
