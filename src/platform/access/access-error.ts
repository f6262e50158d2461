import { ApiError } from "../errors.ts";

/** Why a request was not let in: no token, one nobody issued, one revoked, or no access control configured at all. */
export type AccessFailure = "missing" | "malformed" | "unknown" | "revoked" | "not_configured";

/** A 401: who the caller is could not be established. `reason` tells the cases apart for tests and logs. */
export class AccessError extends ApiError {
  override name = "AccessError";
  readonly reason: AccessFailure;

  constructor(reason: AccessFailure, message: string) {
    super(401, "unauthorized", message);
    this.reason = reason;
  }
}

const NEW_TOKEN = "use RATCHET_API_TOKEN or a token an admin created with `ratchet token create`";

export const accessErrors = {
  missing: () => new AccessError("missing", `This API needs Authorization: Bearer <token>; ${NEW_TOKEN}`),
  malformed: () => new AccessError("malformed", `The Authorization header must be "Bearer <token>"; ${NEW_TOKEN}`),
  unknown: () => new AccessError("unknown", `The bearer token is not valid: no such token was issued here; check it was copied whole, or ${NEW_TOKEN}`),
  revoked: (name: string, at: string) =>
    new AccessError("revoked", `The token '${name}' was revoked at ${at}; ask an admin for a new one (\`ratchet token create\`)`),
  notConfigured: () =>
    new AccessError(
      "not_configured",
      "This Ratchet has no access control configured, so it refuses every request but /health. " +
        "Set a bootstrap admin token with `wrangler secret put RATCHET_API_TOKEN` (then create scoped tokens with `ratchet token create`), " +
        "or, for local development only, set RATCHET_ACCESS=open.",
    ),
};
