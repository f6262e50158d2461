import { ApiClient, describeApiError, type ApiOptions, type ApiReply } from "../../ops/api-client.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { readInput } from "./run-once.ts";

interface ScheduleView {
  id: string;
  task: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  paused_reason: string | null;
  next_run_at: string | null;
  note?: string;
  last_run: { status: string } | null;
}

function fail(reply: ApiReply, io: CliIo): number {
  io.err(`error: ${describeApiError(reply)}`);
  for (const issue of (reply.body?.error?.details?.issues ?? []) as { pointer: string; message: string }[]) io.err(`  ${issue.pointer || "(root)"}: ${issue.message}`);
  return reply.status === 400 || reply.status === 404 ? EXIT.usage : EXIT.failed;
}

export async function scheduleListCommand(options: ApiOptions & { task?: string }, io: CliIo): Promise<number> {
  const client = new ApiClient(options);
  const reply = await client.request("GET", `/schedules${options.task ? `?task=${encodeURIComponent(options.task)}` : ""}`);
  if (reply.status !== 200) return fail(reply, io);
  io.out(["ID", "TASK", "CRON", "TIMEZONE", "NEXT RUN", "LAST", "STATE"].join("\t"));
  for (const s of reply.body.schedules as ScheduleView[]) {
    const state = s.enabled ? "enabled" : s.paused_reason ? `paused: ${s.paused_reason}` : "disabled";
    io.out([s.id, s.task, s.cron, s.timezone, s.next_run_at ?? "-", s.last_run?.status ?? "-", state].join("\t"));
  }
  return EXIT.ok;
}

export interface ScheduleCreateOptions extends ApiOptions {
  task?: string;
  cron?: string;
  timezone?: string;
  inputJson?: string;
  inputFile?: string;
  maxAttempts?: string;
  backoffSeconds?: string;
  catchUp?: string;
}

const integer = (flag: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, not "${value}"`);
  return n;
};

export async function scheduleCreateCommand(options: ScheduleCreateOptions, io: CliIo): Promise<number> {
  if (!options.task || !options.cron) throw new UsageError("schedule create needs --task NAME and --cron EXPRESSION");
  const client = new ApiClient(options);
  const maxAttempts = integer("--max-attempts", options.maxAttempts);
  const backoffSeconds = integer("--backoff-seconds", options.backoffSeconds);
  const body = {
    task: options.task,
    cron: options.cron,
    input: await readInput(options),
    ...(options.timezone ? { timezone: options.timezone } : {}),
    ...(options.catchUp ? { catch_up: options.catchUp } : {}),
    ...(maxAttempts !== undefined || backoffSeconds !== undefined
      ? { retry: { ...(maxAttempts !== undefined ? { max_attempts: maxAttempts } : {}), ...(backoffSeconds !== undefined ? { backoff_seconds: backoffSeconds } : {}) } }
      : {}),
  };
  const reply = await client.request("POST", "/schedules", body);
  if (reply.status !== 201) return fail(reply, io);
  const created = reply.body as ScheduleView & { next_runs: string[] };
  io.out(`created schedule ${created.id}: ${created.task} at "${created.cron}" (${created.timezone}); next runs ${created.next_runs.slice(0, 3).join(", ")}`);
  if (created.note) io.err(`note: ${created.note}`);
  return EXIT.ok;
}

export async function scheduleDeleteCommand(id: string, options: ApiOptions, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("DELETE", `/schedules/${encodeURIComponent(id)}`);
  if (reply.status !== 200) return fail(reply, io);
  io.out(`deleted schedule ${id}`);
  return EXIT.ok;
}

export async function scheduleTriggerCommand(id: string, options: ApiOptions, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("POST", `/schedules/${encodeURIComponent(id)}/trigger`);
  const execution = reply.headers.get("x-ratchet-execution-id");
  if (execution) io.err(`execution ${execution}`);
  if (reply.status !== 200) return reply.status === 422 ? (io.err(`error: ${describeApiError(reply)}`), EXIT.failed) : fail(reply, io);
  io.out(JSON.stringify(reply.body.output, null, 2));
  return EXIT.ok;
}
