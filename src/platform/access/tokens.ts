import { timingSafeEqual } from "hono/utils/buffer";
import { encodeBase64Url } from "hono/utils/encode";
import { ApiError } from "../errors.ts";
import type { Env } from "../env.ts";
import { openDb } from "../../store/tasks.ts";
import { findTokenByHash, insertToken, listTokenRows, revokeTokenRow, touchToken, type TokenRow } from "../../store/tokens.ts";
import { accessErrors, type AccessError } from "./access-error.ts";
import { accessMode } from "./mode.ts";
import { OPEN_PRINCIPAL, SCOPES, type Principal, type Scope } from "./principal.ts";

type TokenEnv = Pick<Env, "DB" | "RATCHET_API_TOKEN" | "RATCHET_ACCESS">;

/** Issued tokens start with this, so a leaked one is recognisable (secret scanners, logs) and told apart from RATCHET_API_TOKEN. */
const TOKEN_PREFIX = "rt_";

export interface TokenRequest {
  name: string;
  scopes: Scope[];
  /** The only tasks the token may touch; omitted or null: all. */
  tasks?: string[] | null;
}

/** What may be shown about a token: never the token or its hash. */
export interface TokenView {
  id: string;
  name: string;
  scopes: Scope[];
  tasks: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The row's scopes, keeping only known ones: the column is JSON, so it is checked where it is read. */
function scopesOf(row: TokenRow): Scope[] {
  return row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}

export function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: scopesOf(row),
    tasks: row.tasks ?? null,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
    revoked_at: row.revokedAt,
  };
}

/** Issues a token: 32 random bytes, stored only as their SHA-256; the token itself is in the answer and nowhere else. */
export async function createToken(env: TokenEnv, request: TokenRequest): Promise<TokenView & { token: string }> {
  // Hono's base64url keeps the "=" padding; without it the token is one word to copy and to scan for.
  const token = TOKEN_PREFIX + encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)).buffer).replace(/=+$/, "");
  const tasks = request.tasks ? [...new Set(request.tasks)] : null;
  const row = await insertToken(openDb(env.DB), { name: request.name, tokenHash: await sha256Hex(token), scopes: [...new Set(request.scopes)], tasks });
  return { ...tokenView(row), token };
}

export async function listTokens(env: TokenEnv): Promise<TokenView[]> {
  return (await listTokenRows(openDb(env.DB))).map(tokenView);
}

export async function revokeToken(env: TokenEnv, id: string): Promise<TokenView> {
  const row = await revokeTokenRow(openDb(env.DB), id);
  if (!row) throw new ApiError(404, "not_found", `No token with id ${id}; \`ratchet token list\` shows the ids`);
  return tokenView(row);
}

/** The Authorization header's bearer token; undefined when there is no header, null when it is not "Bearer <token>". */
function bearer(header: string | undefined): string | undefined | null {
  if (header === undefined || header.trim() === "") return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

/**
 * Who the request acts as, or why it cannot be let in. RATCHET_API_TOKEN is the bootstrap admin;
 * any other bearer token must be an unrevoked one from D1. In open mode a request without a header is
 * the local principal, but a token given anyway is checked, so scoped tokens can be tried locally.
 */
export async function authenticate(env: TokenEnv, authorization: string | undefined): Promise<Principal | AccessError> {
  const mode = accessMode(env);
  if (mode === "closed") return accessErrors.notConfigured();
  const given = bearer(authorization);
  if (given === undefined) return mode === "open" ? OPEN_PRINCIPAL : accessErrors.missing();
  if (given === null) return accessErrors.malformed();
  if (env.RATCHET_API_TOKEN && (await timingSafeEqual(given, env.RATCHET_API_TOKEN))) {
    return { kind: "bootstrap", name: "bootstrap", scopes: ["admin"], tasks: null };
  }
  if (!given.startsWith(TOKEN_PREFIX)) return accessErrors.unknown();
  const hash = await sha256Hex(given);
  const db = openDb(env.DB);
  const row = await findTokenByHash(db, hash);
  // The lookup is by an index on the hash; comparing again in constant time leaves nothing to an equality shortcut.
  if (!row || !(await timingSafeEqual(hash, row.tokenHash))) return accessErrors.unknown();
  if (row.revokedAt !== null) return accessErrors.revoked(row.name, row.revokedAt);
  await touchToken(db, row);
  return { kind: "token", tokenId: row.id, name: row.name, scopes: scopesOf(row), tasks: row.tasks ?? null };
}
