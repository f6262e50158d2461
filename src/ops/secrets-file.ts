import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { secretProblem, type SecretValues } from "../engine/index.ts";
import { UsageError } from "./errors.ts";

/** The file beside a task's own files that holds its secrets locally; never packed, deployed or committed. */
export const SECRETS_FILE = ".secrets";

/** A `.secrets` line or a `--secret` flag is not a valid secret; the message names where, never the value. */
export class SecretsFileError extends UsageError {
  override name = "SecretsFileError";
}

const LINE = /^(?:export\s+)?([^=\s]+)\s*=(.*)$/;

/** One NAME=VALUE, the value unquoted when it is wrapped in matching single or double quotes (taken literally inside). */
function parseAssignment(text: string): [string, string] | undefined {
  const match = LINE.exec(text);
  if (!match) return undefined;
  const raw = match[2]!.trim();
  const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0];
  return [match[1]!, quoted ? raw.slice(1, -1) : raw];
}

function checked(where: string, name: string, value: string): void {
  const problem = secretProblem(name, value);
  if (problem !== undefined) throw new SecretsFileError(`${where}: ${problem}`);
}

/**
 * Reads dotenv-style text: NAME=VALUE lines (`export ` allowed before NAME, quotes around VALUE
 * removed), blank lines and `#` comments skipped. A bad line is a SecretsFileError naming the file
 * and line number.
 */
export function parseSecrets(text: string, file: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const where = `${file} line ${i + 1}`;
    const assignment = parseAssignment(trimmed);
    if (!assignment) throw new SecretsFileError(`${where} is not NAME=VALUE; write one secret per line, e.g. API_KEY=value`);
    checked(where, ...assignment);
    secrets[assignment[0]] = assignment[1];
  });
  return secrets;
}

/** `--secret NAME=VALUE` flags (repeatable), checked as `.secrets` lines are. */
export function parseSecretFlags(flags: readonly string[] = []): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new SecretsFileError(`--secret takes NAME=VALUE; got one without a name and "="`);
    const [name, value] = [flag.slice(0, eq), flag.slice(eq + 1)];
    checked(`--secret ${name}`, name, value);
    secrets[name] = value;
  }
  return secrets;
}

/**
 * A local task's secrets: its folder's `.secrets` (when there is one), with `overrides` (the
 * `--secret` flags) taking precedence; undefined when there are none, as on the platform.
 */
export async function readLocalSecrets(dir: string, overrides: Record<string, string> = {}): Promise<SecretValues | undefined> {
  const path = join(dir, SECRETS_FILE);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    // No file, or `dir` is no folder at all: the task folder's own check says what is wrong.
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
    throw new SecretsFileError(`cannot read ${path}: ${error.message}`);
  });
  const secrets = { ...(text === undefined ? {} : parseSecrets(text, path)), ...overrides };
  return Object.keys(secrets).length === 0 ? undefined : Object.freeze(secrets);
}
