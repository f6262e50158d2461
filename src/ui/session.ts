import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "hono/utils/buffer";
import { encodeBase64Url } from "hono/utils/encode";
import { AccessError } from "../platform/access/access-error.ts";
import { accessMode } from "../platform/access/mode.ts";
import type { Principal } from "../platform/access/principal.ts";
import { authenticate } from "../platform/access/tokens.ts";
import type { AppEnv } from "../http/app-env.ts";

/**
 * The dashboard's session: the API token itself, in an HttpOnly, SameSite=Strict cookie (Secure
 * except on localhost, where browsers have no https), checked on every request by the same
 * `authenticate` the REST API uses, so a revoked token signs the browser out at once. The token
 * never appears in a URL, a page, a log line or script-readable storage.
 */
const SESSION = "ratchet_session";
/** A random per-browser value the CSRF token is derived from (see csrfToken). */
const CSRF_SEED = "ratchet_csrf";

function isLocalhost(c: Context): boolean {
  const host = new URL(c.req.url).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

const cookieOptions = (c: Context) => ({ path: "/", httpOnly: true, sameSite: "Strict" as const, secure: !isLocalhost(c) });

export type Session = { principal: Principal; signedIn: boolean } | { principal: null; reason: AccessError };

/** Who the browser acts as: the open principal with no sign-in, the principal of its session cookie, or why neither. */
export async function sessionOf(c: Context<AppEnv>): Promise<Session> {
  const token = getCookie(c, SESSION);
  const who = await authenticate(c.env, token === undefined ? undefined : `Bearer ${token}`);
  if (who instanceof AccessError) return { principal: null, reason: who };
  return { principal: who, signedIn: token !== undefined };
}

/** Whether this deployment asks for a token at all ("open": local serve, no sign-in). */
export const needsSignIn = (c: Context<AppEnv>) => accessMode(c.env) !== "open";

/** Checks a token as the API would and, when it is good, keeps it in the session cookie. */
export async function signIn(c: Context<AppEnv>, token: string): Promise<AccessError | Principal> {
  const who = await authenticate(c.env, `Bearer ${token}`);
  if (who instanceof AccessError) return who;
  setCookie(c, SESSION, token, cookieOptions(c));
  return who;
}

export function signOut(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION, cookieOptions(c));
}

async function sha256(text: string): Promise<string> {
  return encodeBase64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * CSRF, in two layers. Hono's csrf middleware (dashboard.ts) refuses a form POST whose Origin
 * is another site's. Beside it, every form carries a token that only pages of this origin can
 * know: a hash of a random per-browser seed (an HttpOnly cookie) and the session token. A forged
 * form from elsewhere cannot read either cookie, so it cannot compute the hash; and because the
 * session token is in it, a seed planted by a sibling subdomain (cookie tossing, which defeats a
 * plain double-submit cookie) is useless without the victim's session. In open mode there is no
 * session, and the seed and the Origin check still stop a page on the web from posting to a
 * dashboard on 127.0.0.1 (SameSite does not help there: no cookie is needed to act).
 */
export async function csrfToken(c: Context<AppEnv>): Promise<string> {
  let seed = getCookie(c, CSRF_SEED);
  if (!seed) {
    seed = encodeBase64Url(crypto.getRandomValues(new Uint8Array(24)).buffer);
    setCookie(c, CSRF_SEED, seed, cookieOptions(c));
  }
  return sha256(`${seed}\n${getCookie(c, SESSION) ?? ""}`);
}

/** Whether a submitted form's `_csrf` matches this browser's cookies. */
export async function csrfMatches(c: Context<AppEnv>, given: unknown): Promise<boolean> {
  const seed = getCookie(c, CSRF_SEED);
  if (!seed || typeof given !== "string") return false;
  return timingSafeEqual(given, await sha256(`${seed}\n${getCookie(c, SESSION) ?? ""}`));
}
