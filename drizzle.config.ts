import { defineConfig } from "drizzle-kit";

// drizzle-kit generates SQL migrations from the schema; wrangler applies them to D1.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./migrations",
});
