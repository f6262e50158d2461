import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../http/app-env.ts";
import { errorEnvelope } from "../errors.ts";

const MiB = 1024 * 1024;
/** Bundles (deploy, validate) may be larger than execution inputs. */
const MAX_BUNDLE_BYTES = 10 * MiB;
const MAX_INPUT_BYTES = 1 * MiB;

const tooLarge = (max: number) =>
  bodyLimit({ maxSize: max, onError: (c) => c.json(errorEnvelope("payload_too_large", `The request body is larger than ${max} bytes`, { max_bytes: max }), 413) });

const bundleLimit = tooLarge(MAX_BUNDLE_BYTES);
const inputLimit = tooLarge(MAX_INPUT_BYTES);

export const limitBodySize: MiddlewareHandler<AppEnv> = (c, next) => {
  const { path } = c.req;
  const isBundle = (c.req.method === "PUT" && /\/tasks\/[^/]+$/.test(path)) || path.endsWith("/validate");
  return (isBundle ? bundleLimit : inputLimit)(c, next);
};
