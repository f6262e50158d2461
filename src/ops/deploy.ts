import type { Problem, TaskBundle } from "../engine/index.ts";
import { describeApiError, type ApiClient } from "./api-client.ts";

export type DeployOutcome =
  | { ok: true; name: string; outcome: "created" | "unchanged" | "switched"; version: string; hash: string; warnings: Problem[] }
  /** The Ratchet refused it: `status` is the HTTP status, `message` its error, `problems` what it found wrong in the task. */
  | { ok: false; name: string; status: number; message: string; problems: Problem[] };

/** Pushes a validated bundle to a running Ratchet under `name` (PUT /api/v1/tasks/{name}); the CLI's deploy and the local workspace both call this. */
export async function deployBundle(client: ApiClient, name: string, bundle: TaskBundle): Promise<DeployOutcome> {
  const reply = await client.request("PUT", `/tasks/${encodeURIComponent(name)}`, bundle);
  if (reply.status === 200 || reply.status === 201) {
    const version = reply.body.task.current_version;
    return { ok: true, name, outcome: reply.body.outcome, version: version.version, hash: version.hash, warnings: reply.body.warnings ?? [] };
  }
  return { ok: false, name, status: reply.status, message: describeApiError(reply), problems: reply.body?.error?.details?.problems ?? [] };
}
