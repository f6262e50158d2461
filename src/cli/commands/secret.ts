import { ApiClient, describeApiError, type ApiOptions, type ApiReply } from "../../ops/api-client.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { EXIT } from "../exit-codes.ts";

/** Where `secret put` reads the value: process.stdin, or a test's stream. */
export type SecretInput = AsyncIterable<Buffer | string> & { isTTY?: boolean };

const path = (task: string, name?: string) => `/tasks/${encodeURIComponent(task)}/secrets${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;

function fail(reply: ApiReply, io: CliIo): number {
  io.err(`error: ${describeApiError(reply)}`);
  return reply.status === 400 || reply.status === 404 ? EXIT.usage : EXIT.failed;
}

/** The value piped in (or typed, ended with Ctrl-D), without the one line break that ends it; never an argument, so it stays out of shell history and process lists. */
async function readValue(stdin: SecretInput, name: string, io: CliIo): Promise<string> {
  if (stdin.isTTY) io.err(`type the value of ${name}, then Enter and Ctrl-D (it is not echoed anywhere else):`);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  const value = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (value === "") {
    throw new UsageError(`no value for ${name} on stdin; pipe it in, e.g. \`printf %s "$VALUE" | ratchet secret put TASK ${name}\` or \`ratchet secret put TASK ${name} < file\``);
  }
  return value;
}

/** `ratchet secret put TASK NAME`: the value from stdin, encrypted by the Ratchet, never printed. */
export async function secretPutCommand(task: string, name: string, options: ApiOptions, io: CliIo, stdin: SecretInput): Promise<number> {
  const client = new ApiClient(options);
  const value = await readValue(stdin, name, io);
  const reply = await client.request("PUT", path(task, name), { value });
  if (reply.status !== 200 && reply.status !== 201) return fail(reply, io);
  io.out(`${reply.body.outcome} secret ${name} of ${task}`);
  return EXIT.ok;
}

/** `ratchet secret list TASK`: names and when each was last set; values are never returned. */
export async function secretListCommand(task: string, options: ApiOptions, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("GET", path(task));
  if (reply.status !== 200) return fail(reply, io);
  const secrets = reply.body.secrets as { name: string; updated_at: string }[];
  if (secrets.length === 0) {
    io.err(`${task} has no secrets; add one with: ratchet secret put ${task} NAME < file`);
    return EXIT.ok;
  }
  io.out(["NAME", "UPDATED"].join("\t"));
  for (const secret of secrets) io.out([secret.name, secret.updated_at].join("\t"));
  return EXIT.ok;
}

/** `ratchet secret delete TASK NAME`. */
export async function secretDeleteCommand(task: string, name: string, options: ApiOptions, io: CliIo): Promise<number> {
  const reply = await new ApiClient(options).request("DELETE", path(task, name));
  if (reply.status !== 200) return fail(reply, io);
  io.out(`deleted secret ${name} of ${task}`);
  return EXIT.ok;
}
