import { ApiClient, describeApiError, type ApiOptions, type ApiReply } from "../../ops/api-client.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { SCOPES } from "../../platform/access/principal.ts";
import { EXIT } from "../exit-codes.ts";

interface TokenView {
  id: string;
  name: string;
  scopes: string[];
  tasks: string[] | null;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

export interface TokenCreateOptions extends ApiOptions {
  name?: string;
  scope?: string[];
  task?: string[];
  json?: boolean;
}

/** Commander's collector for a repeatable option (`--scope read --scope execute`). */
export const repeatable = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function fail(reply: ApiReply, io: CliIo): number {
  io.err(`error: ${describeApiError(reply)}`);
  for (const issue of (reply.body?.error?.details?.issues ?? []) as { pointer: string; message: string }[]) io.err(`  ${issue.pointer || "(root)"}: ${issue.message}`);
  return reply.status === 400 || reply.status === 404 ? EXIT.usage : EXIT.failed;
}

/** `ratchet token create --name N --scope S [--scope S] [--task T]`: prints the token once; the Ratchet keeps only its hash. */
export async function tokenCreateCommand(options: TokenCreateOptions, io: CliIo): Promise<number> {
  const scopes = options.scope ?? [];
  if (!options.name || scopes.length === 0) throw new UsageError(`token create needs --name NAME and at least one --scope (${SCOPES.join(", ")})`);
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new UsageError(`unknown scope ${unknown.join(", ")}: the scopes are ${SCOPES.join(", ")} (each includes those after it)`);
  const reply = await new ApiClient(options).request("POST", "/tokens", { name: options.name, scopes, ...(options.task?.length ? { tasks: options.task } : {}) });
  if (reply.status !== 201) return fail(reply, io);
  const created = reply.body as TokenView & { token: string };
  if (options.json) io.out(JSON.stringify(created, null, 2));
  else {
    io.out(created.token);
    io.err(`created token ${created.id} '${created.name}' (scopes: ${created.scopes.join(", ")}${created.tasks ? `; tasks: ${created.tasks.join(", ")}` : ""})`);
  }
  io.err("warning: this is the only time the token is shown; the Ratchet keeps only its SHA-256. Store it now (e.g. as RATCHET_API_TOKEN where it is used).");
  return EXIT.ok;
}

/** `ratchet token list`: ids, names, scopes and use; never a token. */
export async function tokenListCommand(options: ApiOptions & { json?: boolean }, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("GET", "/tokens");
  if (reply.status !== 200) return fail(reply, io);
  const tokens = reply.body.tokens as TokenView[];
  if (options.json) {
    io.out(JSON.stringify(tokens, null, 2));
    return EXIT.ok;
  }
  io.out(["ID", "NAME", "SCOPES", "TASKS", "CREATED", "LAST USED", "STATE"].join("\t"));
  for (const t of tokens) {
    const state = t.revoked_at ? `revoked ${t.revoked_at}` : "active";
    io.out([t.id, t.name, t.scopes.join(","), t.tasks?.join(",") ?? "all", t.created_at, t.last_used_at ?? "-", state].join("\t"));
  }
  return EXIT.ok;
}

/** `ratchet token revoke ID`: requests with the token answer 401 from then on. */
export async function tokenRevokeCommand(id: string, options: ApiOptions & { json?: boolean }, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("DELETE", `/tokens/${encodeURIComponent(id)}`);
  if (reply.status !== 200) return fail(reply, io);
  const revoked = reply.body.revoked as TokenView;
  if (options.json) io.out(JSON.stringify(revoked, null, 2));
  else io.out(`revoked token ${revoked.id} '${revoked.name}' at ${revoked.revoked_at}`);
  return EXIT.ok;
}
