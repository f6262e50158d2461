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
 * `value` (a task's input) as an execution record keeps it: what its schema marks `writeOnly`
 * (JSON Schema's "sent, never read back") and every property with a secret's name become
 * REDACTED, at any depth, and the values of the task's own `secrets` become `[redacted:NAME]`
 * (redactSecretValues). The task itself always gets the real value. Returns `value` itself when
 * nothing is redacted, so the common case copies nothing.
 */
export function redactSecrets(value: unknown, schema?: unknown, secrets?: SecretValues): unknown {
  return redactSecretValues(redactByName(value, schema), secrets);
}

function redactByName(value: unknown, schema?: unknown): unknown {
  const here = node(schema);
  if (here?.writeOnly === true) return REDACTED;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const redacted = redactByName(item, here?.items);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    });
    return copy ?? value;
  }
  if (typeof value !== "object" || value === null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const sub = here?.properties?.[key] ?? here?.additionalProperties;
    const redacted = isSecretName(key) && item !== null && item !== undefined ? REDACTED : redactByName(item, sub);
    if (redacted !== item) (copy ??= { ...value })[key] = redacted;
  }
  return copy ?? value;
}

/** How a task's secret may be named: usable as `context.secrets.NAME` and as a line of a `.secrets` file. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const SECRET_NAME_RULE = "a letter or _, then up to 63 letters, digits or _ (for example API_KEY)";
/** The largest secret value, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 4096;

/** A task's secrets by name, as the task gets them in `context.secrets`. */
export type SecretValues = Readonly<Record<string, string>>;

/** What is wrong with a secret's name (and value, when given), in one sentence that never quotes the value; undefined when nothing is. */
export function secretProblem(name: string, value?: string): string | undefined {
  if (!SECRET_NAME.test(name)) return `secret name ${JSON.stringify(name.slice(0, 80))} is not valid: ${SECRET_NAME_RULE}`;
  if (value === undefined) return undefined;
  if (value === "") return `secret ${name} is empty; give it a value`;
  const bytes = new TextEncoder().encode(value).byteLength;
  if (bytes > MAX_SECRET_BYTES) return `secret ${name} is ${bytes} bytes; the limit is ${MAX_SECRET_BYTES}`;
  return undefined;
}

/** What a secret's value becomes wherever the platform keeps or returns it. */
export const redactedMarker = (name: string): string => `[redacted:${name}]`;

interface Redactor {
  pattern: RegExp;
  markers: Map<string, string>;
}

const redactors = new WeakMap<SecretValues, Redactor | null>();

/**
 * One pattern for all of a task's secrets, each in the spellings a task's own output is likely
 * to carry it: as is, escaped inside JSON text, and percent-encoded in a URL. Longest first, so
 * a secret holding another is replaced whole; one pass, so a marker is never searched again.
 */
function redactorFor(secrets: SecretValues): Redactor | null {
  let redactor = redactors.get(secrets);
  if (redactor !== undefined) return redactor;
  const markers = new Map<string, string>();
  for (const [name, value] of Object.entries(secrets)) {
    if (value === "") continue;
    for (const spelling of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) markers.set(spelling, redactedMarker(name));
  }
  const needles = [...markers.keys()].sort((a, b) => b.length - a.length);
  redactor = needles.length === 0 ? null : { pattern: new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g"), markers };
  redactors.set(secrets, redactor);
  return redactor;
}

function redactText(text: string, redactor: Redactor): string {
  return text.replace(redactor.pattern, (found) => redactor.markers.get(found)!);
}

function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === "string") return redactText(value, redactor);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const redacted = redactDeep(item, redactor);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    });
    return copy ?? value;
  }
  if (typeof value !== "object" || value === null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const entry = [redactText(key, redactor), redactDeep(item, redactor)] as const;
    if (entry[0] !== key || entry[1] !== item) changed = true;
    return entry;
  });
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * `value` with every occurrence of a secret's value, in any string or property name at any
 * depth, replaced by `[redacted:NAME]`: the one rule every host applies to logs, HTTP traces,
 * errors, output and recorded input. Returns `value` itself when nothing changed. A secret the
 * task transforms (hashes, base64-encodes, splits) is not recognised: see SECURITY.md.
 */
export function redactSecretValues<T>(value: T, secrets: SecretValues | undefined): T {
  const redactor = secrets === undefined ? null : redactorFor(secrets);
  return redactor === null ? value : (redactDeep(value, redactor) as T);
}
