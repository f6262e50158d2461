import { Option } from "commander";

/**
 * `--secret NAME=VALUE`, repeatable: a secret for this run, over the task folder's `.secrets`.
 * (A value given here can end up in the shell's history; the `.secrets` file cannot.)
 */
export const secretOption = () =>
  new Option("--secret <NAME=VALUE>", "a secret the task reads as context.secrets.NAME; repeatable; overrides the folder's .secrets file").argParser(
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
