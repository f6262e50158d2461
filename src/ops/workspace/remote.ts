import type { TaskBundle } from "../../engine/index.ts";
import { WorkspaceError, type DeployResult, type ScheduleRecord, type ScheduleRequest } from "../../workspace/workspace.ts";
import { ApiClient, ApiUnreachableError, describeApiError, type ApiReply } from "../api-client.ts";
import { deployBundle } from "../deploy.ts";

/** Where `ratchet serve` and `npm start` listen. */
export const DEFAULT_RATCHET_URL = "http://127.0.0.1:8787";

/** What a local workspace does through a running Ratchet's HTTP API: deploy and schedules. */
export class RemoteRatchet {
  readonly url: string;
  private readonly client: ApiClient;

  constructor(url: string | undefined, token: string | undefined) {
    this.url = url ?? (process.env.RATCHET_URL || DEFAULT_RATCHET_URL);
    try {
      this.client = new ApiClient({ url: this.url, token });
    } catch (error) {
      throw new WorkspaceError("bad_request", (error as Error).message, { hint: "Pass the Ratchet's address as --url or RATCHET_URL, e.g. http://127.0.0.1:8787." });
    }
  }

  async deploy(name: string, bundle: TaskBundle): Promise<DeployResult> {
    const deployed = await this.reach(() => deployBundle(this.client, name, bundle));
    if (deployed.ok) return { name, version: deployed.version, hash: deployed.hash, status: deployed.outcome, target: this.url };
    throw new WorkspaceError(deployed.problems.length > 0 ? "invalid" : codeFor(deployed.status), `The Ratchet at ${this.url} refused the deploy of ${name}: ${deployed.message}`, {
      problems: deployed.problems,
      hint: hintFor(deployed.status),
    });
  }

  async createSchedule(request: ScheduleRequest): Promise<ScheduleRecord> {
    return (await this.call("POST", "/schedules", request, 201)) as ScheduleRecord;
  }

  async listSchedules(task?: string): Promise<ScheduleRecord[]> {
    const body = (await this.call("GET", `/schedules${task === undefined ? "" : `?task=${encodeURIComponent(task)}`}`, undefined, 200)) as { schedules: ScheduleRecord[] };
    return body.schedules;
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.call("DELETE", `/schedules/${encodeURIComponent(id)}`, undefined, 200);
  }

  private async call(method: string, path: string, body: unknown, expected: number): Promise<unknown> {
    const reply: ApiReply = await this.reach(() => this.client.request(method, path, body));
    if (reply.status === expected) return reply.body;
    const issues = (reply.body?.error?.details?.issues ?? []) as { pointer: string; message: string }[];
    const detail = issues.map((issue) => `; ${issue.pointer || "(root)"}: ${issue.message}`).join("");
    throw new WorkspaceError(codeFor(reply.status), `The Ratchet at ${this.url} answered ${method} ${path} with ${describeApiError(reply)}${detail}`, { hint: hintFor(reply.status) });
  }

  private async reach<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ApiUnreachableError)) throw error;
      throw new WorkspaceError("unreachable", `Nothing answers at ${this.url} (${error.message})`, {
        hint: "Start one with `ratchet serve` (it listens on http://127.0.0.1:8787), or point at a running Ratchet with --url or RATCHET_URL.",
      });
    }
  }
}

function codeFor(status: number): "not_found" | "exists" | "bad_request" | "unreachable" {
  if (status === 404) return "not_found";
  if (status === 409) return "exists";
  // A server fault is not the caller's to fix by changing arguments.
  return status >= 500 ? "unreachable" : "bad_request";
}

function hintFor(status: number): string | undefined {
  if (status === 401) return "Pass the Ratchet's API token as --token or RATCHET_API_TOKEN.";
  // The message names the scope or task the token lacks; another token is the only fix.
  if (status === 403) return "Use a token with the scope the message names (an admin creates one with `ratchet token create`).";
  if (status === 404) return "Deploy the task first, or list what exists.";
  if (status >= 500) return "The Ratchet failed; see its log (the terminal running `ratchet serve`).";
  return undefined;
}
