import { Validator } from "@seriousme/openapi-schema-validator";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    openApiValidatorUrl: string;
  }
}

/**
 * The OpenAPI validator (@seriousme/openapi-schema-validator) compiles its meta-schemas with Ajv,
 * which workerd forbids (no code from strings), so the Worker tests send the document to it here,
 * in Node, on 127.0.0.1: POST a document, get back { valid, version, errors }.
 */
export default async function setup(project: TestProject) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const validator = new Validator();
      let answer: unknown;
      try {
        const result = await validator.validate(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
        answer = { valid: result.valid, version: validator.version, errors: result.errors ?? null };
      } catch (error) {
        answer = { valid: false, version: null, errors: String(error) };
      }
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("openApiValidatorUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
