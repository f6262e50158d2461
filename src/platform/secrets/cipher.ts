import { ApiError } from "../errors.ts";

/** A secret as D1 keeps it: AES-GCM ciphertext (with its tag) and the IV, both base64. */
export interface SealedSecret {
  ciphertext: string;
  iv: string;
}

/** A stored secret did not decrypt: another key, or a ciphertext that belongs to another task or name. */
export class SecretUnreadableError extends ApiError {
  override name = "SecretUnreadableError";
  constructor(task: string, name: string) {
    super(500, "secret_unreadable", `Secret ${name} of task ${task} cannot be decrypted (RATCHET_SECRETS_KEY changed, or the stored row was altered); put it again: ratchet secret put ${task} ${name}`);
  }
}

const IV_BYTES = 12;
const encoder = new TextEncoder();

/** Binds a ciphertext to its task and name (authenticated, not encrypted): moved to another row, it no longer decrypts. */
const associatedData = (task: string, name: string) => encoder.encode(`ratchet-secret:v1\u0000${task}\u0000${name}`);

const toBase64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Encrypts `value` for task `task`'s secret `name` under a fresh random 12-byte IV. */
export async function sealSecret(key: CryptoKey, task: string, name: string, value: string): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: associatedData(task, name) }, key, encoder.encode(value));
  return { ciphertext: toBase64(new Uint8Array(sealed)), iv: toBase64(iv) };
}

/** The value sealed for `task`'s secret `name`; SecretUnreadableError when it is not that (wrong key, wrong row, altered). */
export async function openSecret(key: CryptoKey, task: string, name: string, sealed: SealedSecret): Promise<string> {
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: associatedData(task, name) }, key, fromBase64(sealed.ciphertext));
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    throw new SecretUnreadableError(task, name);
  }
}
