import { Command, CommanderError, Option } from "commander";
import { generateTaskCommand, type GenerateOptions } from "./commands/generate.ts";
import { registerDevLoopCommands } from "./commands/dev-loop.ts";
import { deployCommand, executionsCommand, invokeCommand } from "./commands/remote.ts";
import { executionShowCommand, type ExecutionsOptions } from "./commands/executions.ts";
import { scheduleCreateCommand, scheduleDeleteCommand, scheduleListCommand, scheduleTriggerCommand, type ScheduleCreateOptions } from "./commands/schedule.ts";
import { runOnceCommand, type RunOnceOptions } from "./commands/run-once.ts";
import { secretDeleteCommand, secretListCommand, secretPutCommand } from "./commands/secret.ts";
import { secretOption } from "./commands/secret-option.ts";
import { serveCommand, type ServeCliOptions } from "./commands/serve.ts";
import { repeatable, tokenCreateCommand, tokenListCommand, tokenRevokeCommand, type TokenCreateOptions } from "./commands/token.ts";
import { mcpServeCommand, type McpServeOptions } from "./commands/mcp-serve.ts";
import { validateCommand, type ValidateOptions } from "./commands/validate.ts";
import { DEFAULT_CONFIG, loadConfig } from "../ops/config.ts";
import { EXIT } from "./exit-codes.ts";
import { UsageError } from "../ops/errors.ts";
import { installFutureAnswers } from "./future.ts";
import { processIo, type CliIo } from "../ops/io.ts";
import { InvalidTaskError } from "../ops/load.ts";
import { createLocalEngine } from "../ops/local-engine.ts";
import { TEMPLATE_NAMES } from "./templates.ts";
import { RATCHET_VERSION } from "./version.ts";

/** The task folder from the positional argument or upstream Ratchet's `--from-fs DIR`. */
function taskDir(dir: string | undefined, options: { fromFs?: string }): string {
  const chosen = dir ?? options.fromFs;
  if (!chosen) throw new UsageError("missing the task folder: ratchet <command> DIR (or --from-fs DIR)");
  return chosen;
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const engine = createLocalEngine();
  const config = () => {
    const file = program.opts<{ config?: string }>().config;
    return file === undefined ? Promise.resolve(DEFAULT_CONFIG) : loadConfig(file, io.err);
  };
  const program: Command = new Command("ratchet")
    .description("Build, check and run Ratchet tasks")
    .version(RATCHET_VERSION)
    .option("--config <file>", "YAML settings (execution.max_execution_duration, execution.validate_schemas, http.timeout)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("validate")
    .description("check a task folder: metadata, schemas, tests and code; every problem at once")
    .argument("[dir]", "task folder")
    .option("--from-fs <dir>", "task folder (upstream spelling)")
    .option("--verbose", "say what was checked, file by file")
    .option("--fail-on-warnings", "treat warnings as errors: the task is invalid (exit 2)")
    .action(async (dir: string | undefined, options: ValidateOptions & { fromFs?: string }) =>
      setExit(await validateCommand(engine, taskDir(dir, options), options, io)),
    );

  program
    .command("run-once")
    .description("run a task once; the output JSON goes to stdout, logs and diagnostics to stderr")
    .argument("[dir]", "task folder")
    .option("--from-fs <dir>", "task folder (upstream spelling)")
    .option("--input-json <json>", "the input as JSON text")
    .option("--input-file <file>", "a file holding the input JSON")
    .addOption(new Option("--log-level <level>", "console lines to show").choices(["debug", "info", "warn", "error"]).default("info"))
    .option("--record <dir>", "write input, output, logs and the HTTP exchanges (HAR) to this folder")
    .option("--no-record-history", "keep no record in the local history (.ratchet/history in the folder holding the task), which `ratchet executions` lists")
    .addOption(secretOption())
    .action(async (dir: string | undefined, options: RunOnceOptions & { fromFs?: string }) =>
      setExit(await runOnceCommand(engine, taskDir(dir, options), options, await config(), io)),
    );

  registerDevLoopCommands(program, { engine, io, setExit, config });

  program
    .command("generate")
    .description("create things from templates")
    .command("task")
    .description("create a task folder that passes validate and test as generated")
    .argument("<name>", "folder name of the new task")
    .option("--label <label>", "human-readable name")
    .option("--description <text>", "what the task does")
    .option("--author <name>", "author")
    .option("--tags <list>", "comma-separated tags")
    .addOption(new Option("--template <name>", "starting point").choices([...TEMPLATE_NAMES]))
    .option("--from-template <name>", "starting point (upstream names such as rest-api accepted)")
    .option("--include-tests", "write tests/ with tests that pass (default: no tests/ folder)")
    .option("--no-include-tests", "write no tests (the default)")
    .option("--include-docs", "write a README.md for the task")
    .addOption(new Option("--input-validation <mode>", "strict: the input may hold only the properties the schema names").choices(["strict", "lenient"]).default("lenient"))
    .option("--timeout <ms>", "wall-clock limit in ms (above the host maximum of 300000: a warning)", "30000")
    .option("--memory-limit <size>", 'memory limit such as "128MB" or "512kb", any case (above the host maximum of 128MB: a warning)', "64MB")
    .option("--retry-attempts <n>", "attempts per scheduled run, the first included, for schedules that set none (metadata retry_attempts)")
    .option("--dir <dir>", "where to create the task folder", ".")
    .action(async (name: string, options: GenerateOptions) => setExit(await generateTaskCommand(name, options, io)));

  const remote = (command: Command) =>
    command.option("--url <url>", "a running Ratchet, e.g. http://127.0.0.1:8787 (or RATCHET_URL)").option("--token <token>", "API token (or RATCHET_API_TOKEN)");

  remote(
    program
      .command("deploy")
      .description("push a task folder to a running Ratchet (validated locally first)")
      .argument("[dir]", "task folder")
      .option("--from-fs <dir>", "task folder (upstream spelling)")
      .option("--name <name>", "task name (default: the folder name)"),
  ).action(async (dir: string | undefined, options: { fromFs?: string; name?: string; url?: string; token?: string }) =>
    setExit(await deployCommand(engine, taskDir(dir, options), options, io)),
  );

  remote(
    program
      .command("invoke")
      .description("run a deployed task; the output JSON goes to stdout, its logs to stderr")
      .argument("<name>", "task name")
      .option("--input-json <json>", "the input as JSON text")
      .option("--input-file <file>", "a file holding the input JSON")
      .option("--version <version>", "run this version instead of the current one"),
  ).action(async (name: string, options: { inputJson?: string; inputFile?: string; version?: string; url?: string; token?: string }) =>
    setExit(await invokeCommand(name, options, io)),
  );

  const executions = remote(
    program
      .command("executions")
      .description("list executions, newest first: a running Ratchet's with --url (or RATCHET_URL), else the local history that run-once and mcp-serve keep")
      .option("--task <name>", "only this task")
      .option("--status <status>", "completed or failed")
      .option("--trigger <trigger>", "only runs started this way: cli, http, schedule, mcp or test")
      .option("--limit <n>", "how many (default 50)")
      .option("--json", "print JSON")
      .option("--tasks-dir <dir>", "the tasks folder whose local history to list (default ./tasks if it exists, else the current folder)"),
  ).action(async (options: ExecutionsOptions) => setExit(await executionsCommand(options, io)));
  remote(
    executions
      .command("show")
      .description("print one execution as JSON: input (secrets redacted), output or error, logs, HTTP trace, timings")
      .argument("<id>", "execution id")
      .option("--tasks-dir <dir>", "the tasks folder whose local history to read (default ./tasks if it exists, else the current folder)"),
  ).action(async (id: string, options: ExecutionsOptions) => setExit(await executionShowCommand(id, options, io)));

  const schedule = program.command("schedule").description("manage a running Ratchet's cron schedules");
  remote(schedule.command("list").description("list schedules").option("--task <name>", "only this task's")).action(
    async (options: { task?: string; url?: string; token?: string }) => setExit(await scheduleListCommand(options, io)),
  );
  remote(
    schedule
      .command("create")
      .description("run a task on a cron schedule")
      .requiredOption("--task <name>", "the task to run")
      .requiredOption("--cron <expression>", 'cron: 5 fields, 6 with seconds (minute granularity), or @hourly/@daily/@weekly/@monthly')
      .option("--timezone <zone>", "IANA time zone (default UTC)")
      .option("--input-json <json>", "the input of every run")
      .option("--input-file <file>", "a file holding that input")
      .option("--max-attempts <n>", "attempts per slot, the first included (default 3)")
      .option("--backoff-seconds <s>", "delay before the first retry, doubled after (default 60)")
      .addOption(new Option("--catch-up <policy>", "after downtime").choices(["skip", "once"])),
  ).action(async (options: ScheduleCreateOptions) => setExit(await scheduleCreateCommand(options, io)));
  remote(schedule.command("delete").description("delete a schedule").argument("<id>", "schedule id")).action(
    async (id: string, options: { url?: string; token?: string }) => setExit(await scheduleDeleteCommand(id, options, io)),
  );
  remote(schedule.command("trigger").description("run a schedule's task now, with its input").argument("<id>", "schedule id")).action(
    async (id: string, options: { url?: string; token?: string }) => setExit(await scheduleTriggerCommand(id, options, io)),
  );

  const secret = program.command("secret").description("manage a deployed task's secrets (context.secrets.NAME); values are never printed or returned");
  remote(secret.command("put").description("set a secret; the value is read from stdin, never from an argument").argument("<task>", "task name").argument("<name>", "secret name, e.g. API_KEY")).action(
    async (task: string, name: string, options: { url?: string; token?: string }) => setExit(await secretPutCommand(task, name, options, io, process.stdin)),
  );
  remote(secret.command("list").description("list a task's secret names").argument("<task>", "task name")).action(
    async (task: string, options: { url?: string; token?: string }) => setExit(await secretListCommand(task, options, io)),
  );
  remote(secret.command("delete").description("delete a secret").argument("<task>", "task name").argument("<name>", "secret name")).action(
    async (task: string, name: string, options: { url?: string; token?: string }) => setExit(await secretDeleteCommand(task, name, options, io)),
  );

  const token = program.command("token").description("manage a running Ratchet's API tokens (admin scope): scopes admin > deploy > execute > read, optionally limited to some tasks");
  remote(
    token
      .command("create")
      .description("issue a token; it is printed once, the Ratchet keeps only its hash")
      .requiredOption("--name <name>", "who or what holds it, e.g. ci")
      .option("--scope <scope>", "admin, deploy, execute or read; repeatable", repeatable)
      .option("--task <name>", "limit the token to this task; repeatable", repeatable)
      .option("--json", "print JSON"),
  ).action(async (options: TokenCreateOptions) => setExit(await tokenCreateCommand(options, io)));
  remote(token.command("list").description("list tokens (never the tokens themselves)").option("--json", "print JSON")).action(
    async (options: { url?: string; token?: string; json?: boolean }) => setExit(await tokenListCommand(options, io)),
  );
  remote(token.command("revoke").description("revoke a token: it answers 401 from then on").argument("<id>", "token id (from token list)").option("--json", "print JSON")).action(
    async (id: string, options: { url?: string; token?: string; json?: boolean }) => setExit(await tokenRevokeCommand(id, options, io)),
  );

  program
    .command("serve")
    .description("run the Ratchet Worker on this machine (local D1 and R2), deploying and watching a tasks folder")
    .option("--port <port>", "port to listen on (0 picks a free one)", "8787")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--tasks-dir <dir>", "every task folder under it is deployed at start and on change", "./tasks")
    .option("--state-dir <dir>", "where local D1 and R2 keep their data", "./.ratchet/state")
    .option("--no-watch", "deploy at start only")
    .option("--token <token>", "the bootstrap admin token requests must carry (or RATCHET_API_TOKEN); without one the local API is open (RATCHET_ACCESS=open)")
    .action(async (options: ServeCliOptions) => setExit(await serveCommand(options, io)));

  program
    .command("mcp-serve")
    .description("serve the MCP tools for agents on a tasks folder: over stdio (default) or Streamable HTTP on this machine")
    .addOption(new Option("--transport <transport>", "stdio, http, or sse (the same as http: Streamable HTTP)").choices(["stdio", "http", "sse"]))
    .option("--host <host>", "address to listen on (http); default 127.0.0.1")
    .option("--port <port>", "port to listen on (http; 0 picks a free one); default 3001")
    .option("--tasks-dir <dir>", "the folder holding the task folders", "./tasks")
    .option("--url <url>", "the Ratchet that deploy and schedule tools talk to (default RATCHET_URL, else http://127.0.0.1:8787)")
    .option("--token <token>", "its API token (default RATCHET_API_TOKEN)")
    .option("--toolsets <list>", "comma-separated: tasks,runs,tests,observe,ship (default all)")
    .option("--read-only", "only tools that change nothing")
    .action(async (options: McpServeOptions) => setExit(await mcpServeCommand({ ...options, config: program.opts<{ config?: string }>().config }, engine, io)));

  installFutureAnswers(program);
  return program;
}

/** Runs the CLI with the given arguments (without node and script); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (exit) => {
    code = exit;
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof InvalidTaskError) {
      io.err(`error: ${error.message}`);
      return EXIT.usage;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}
