/** What a secret is replaced with wherever the platform keeps a record of it. */
export const REDACTED = "redacted";

/**
 * How the name of a secret ends, compared without case, "-" or "_": "apiKey", "client_secret",
 * "X-Amz-Signature" and "appid" are secrets; "keyword", "author" and "passenger" are not.
 */
const SECRET_ENDINGS = [
  "key",
  "token",
  "secret",
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "signature",
  "sig",
  "credential",
  "credentials",
  "auth",
  "authorization",
  "session",
  "sessionid",
  "cookie",
  "appid",
];

/** Whether a field, query parameter or header name says its value is a secret. */
export function isSecretName(name: string): boolean {
  const plain = name.toLowerCase().replace(/[-_]/g, "");
  return SECRET_ENDINGS.some((ending) => plain.endsWith(ending));
}

type SchemaNode = { writeOnly?: unknown; properties?: Record<string, unknown>; additionalProperties?: unknown; items?: unknown };

const node = (schema: unknown): SchemaNode | undefined => (typeof schema === "object" && schema !== null ? (schema as SchemaNode) : undefined);

/**
 * `value` as an execution record keeps it: what its schema marks `writeOnly` (JSON Schema's
 * "sent, never read back") and every property with a secret's name become REDACTED, at any
 * depth. The task itself always gets the real value. Returns `value` itself when nothing is
 * redacted, so the common case copies nothing.
 */
export function redactSecrets(value: unknown, schema?: unknown): unknown {
  const here = node(schema);
  if (here?.writeOnly === true) return REDACTED;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const redacted = redactSecrets(item, here?.items);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    });
    return copy ?? value;
  }
  if (typeof value !== "object" || value === null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const sub = here?.properties?.[key] ?? here?.additionalProperties;
    const redacted = isSecretName(key) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, sub);
    if (redacted !== item) (copy ??= { ...value })[key] = redacted;
  }
  return copy ?? value;
}
