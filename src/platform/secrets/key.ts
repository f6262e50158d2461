import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";

/** How to make and set RATCHET_SECRETS_KEY, quoted by every error about it. */
export const SECRETS_KEY_HOWTO =
  "set RATCHET_SECRETS_KEY to 32 random bytes in base64: `openssl rand -base64 32 | npx wrangler secret put RATCHET_SECRETS_KEY` (locally: a line in .dev.vars; `ratchet serve` makes one itself)";

/** The Worker has no usable RATCHET_SECRETS_KEY, so secrets can be neither stored nor read. */
export class SecretsKeyError extends ApiError {
  override name = "SecretsKeyError";
  constructor(problem: string) {
    super(503, "secrets_unavailable", `Task secrets are unavailable: ${problem}; ${SECRETS_KEY_HOWTO}`);
  }
}

const KEY_BYTES = 32;
const keys = new Map<string, Promise<CryptoKey>>();

function decodeKey(text: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new SecretsKeyError("RATCHET_SECRETS_KEY is not base64");
  }
  if (bytes.byteLength !== KEY_BYTES) throw new SecretsKeyError(`RATCHET_SECRETS_KEY holds ${bytes.byteLength} bytes, not ${KEY_BYTES}`);
  return bytes;
}

/** The AES-256-GCM key RATCHET_SECRETS_KEY holds (base64 of 32 bytes), imported once per isolate; SecretsKeyError when unset or malformed. */
export function secretsKey(env: Pick<Env, "RATCHET_SECRETS_KEY">): Promise<CryptoKey> {
  const text = env.RATCHET_SECRETS_KEY;
  if (text === undefined || text.trim() === "") return Promise.reject(new SecretsKeyError("RATCHET_SECRETS_KEY is not set"));
  let key = keys.get(text);
  if (!key) {
    try {
      key = crypto.subtle.importKey("raw", decodeKey(text), "AES-GCM", false, ["encrypt", "decrypt"]);
    } catch (error) {
      return Promise.reject(error);
    }
    keys.set(text, key);
  }
  return key;
}
