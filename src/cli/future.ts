import { Option, type Command } from "commander";
import { UsageError } from "../ops/errors.ts";

/**
 * What the task guide shows but Ratchet does not do yet: commands, and flags of real commands.
 * Each answers that it is not part of Ratchet yet, with the nearest real thing where there is one,
 * instead of commander's "unknown command" (or a misleading "did you mean").
 */
const FUTURE_COMMANDS: Record<string, string | undefined> = {
  debug: "ratchet run-once DIR --log-level debug",
  fuzz: "ratchet run-batch DIR --input-dir D",
  benchmark: "ratchet run-batch DIR --input-dir D --parallel N",
  deps: undefined,
  workspace: undefined,
  release: "ratchet update task-metadata DIR --set-version V",
  docs: "ratchet generate task NAME --include-docs",
  merge: undefined,
  extract: undefined,
};

/** Subcommands of real commands, by the real command's path. */
const FUTURE_SUBCOMMANDS: Record<string, Record<string, string | undefined>> = {
  "generate task": { "from-openapi": "ratchet generate task NAME --template api" },
};

/** Flags by command path, each with the nearest real flag or command. */
const FUTURE_FLAGS: Record<string, Record<string, string | undefined>> = {
  validate: {
    "--deep": undefined,
    "--analyze-performance": undefined,
    "--check-security": "ratchet lint DIR",
    "--verify-dependencies": undefined,
    "--rules-file": "ratchet lint DIR",
    "--output-format": undefined,
    "--workspace": undefined,
    "--check-conflicts": undefined,
    "--analyze-compatibility": undefined,
    "--report": undefined,
    "--watch": "ratchet test DIR --watch",
    "--auto-fix": undefined,
    "--notify-on-change": "ratchet test DIR --watch",
  },
  "run-once": {
    "--profile": "ratchet run-once DIR --log-level debug",
    "--trace": "ratchet run-once DIR --log-level debug",
    "--capture-state": "ratchet run-once DIR --record OUT",
    "--simulate-network-delay": undefined,
    "--simulate-cpu-load": undefined,
    "--mock-endpoints": "mock_http in a test (ratchet test DIR)",
  },
  "run-batch": { "--compare-outputs": "ratchet run-batch DIR --input-dir D --aggregate-results" },
  watch: {
    "--on-change": "ratchet watch DIR --input-file F, which always runs again on change",
    "--auto-restart": "ratchet watch DIR --input-file F, which always runs again on change",
    "--live-reload": undefined,
  },
  test: {
    "--coverage": undefined,
    "--performance-baseline": undefined,
    "--parallel": undefined,
    "--generate-tests": undefined,
    "--edge-cases": undefined,
    "--property-based": undefined,
    "--mutation-testing": undefined,
    "--baseline-version": undefined,
    "--compare-performance": undefined,
    "--fail-on-regression": undefined,
    "--save-baseline": undefined,
  },
  lint: { "--fix": undefined, "--performance-hints": undefined, "--security-scan": "ratchet lint DIR (secret-in-log, no-node-api)" },
  "generate task": { "--spec-url": undefined, "--operation": undefined, "--auto-test-cases": undefined },
  serve: {
    "--dev-mode": undefined,
    "--hot-reload": undefined,
    "--debug-ui": undefined,
    "--profiler": undefined,
    "--enable-metrics": undefined,
    "--enable-tracing": undefined,
    "--enable-health-checks": undefined,
    "--dashboard-port": undefined,
    "--task-manager-ui": undefined,
    "--code-editor": undefined,
    "--test-runner-ui": undefined,
    "--log-viewer": undefined,
  },
};

function notYet(what: string, nearest: string | undefined): UsageError {
  return new UsageError(`'${what}' is not part of Ratchet yet (the guide lists it as FUTURE).${nearest ? ` Nearest: ${nearest}.` : ""} See ratchet --help.`);
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

const camel = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** commander's "unknown command 'x'" (with its suggestion, when it has a close one) said as Ratchet says it. */
function sayUnknownCommand(command: Command): void {
  const prefix = ["ratchet", pathOf(command)].filter(Boolean).join(" ");
  command.configureOutput({
    outputError: (text, write) => {
      const unknown = /^error: unknown command '([^']*)'(?:\n(\(Did you mean [^)]*\)))?/.exec(text);
      write(unknown ? `error: '${prefix} ${unknown[1]}' is not a Ratchet command.${unknown[2] ? ` ${unknown[2]}` : ""} See ratchet --help.\n` : text);
    },
  });
}

/**
 * Installs the FUTURE answers on a fully built program: hidden commands, hidden flags (taking an
 * optional value, as several of the guide's do) checked before any action runs, and the wording of
 * unknown commands. A flag a real command has meanwhile gained is left to that command.
 */
export function installFutureAnswers(program: Command): void {
  for (const [name, nearest] of Object.entries(FUTURE_COMMANDS)) {
    if (program.commands.some((c) => c.name() === name)) continue;
    program
      .command(name, { hidden: true })
      .argument("[args...]")
      .allowUnknownOption()
      .helpOption(false)
      .action(() => {
        throw notYet(`ratchet ${name}`, nearest);
      });
  }
  const commands = allCommands(program);
  for (const command of commands) {
    const flags = FUTURE_FLAGS[pathOf(command)] ?? {};
    for (const flag of Object.keys(flags)) {
      if (command.options.some((o) => o.long === flag)) continue;
      command.addOption(new Option(`${flag} [value]`).hideHelp());
    }
    sayUnknownCommand(command);
  }
  program.hook("preAction", (_program, action) => {
    const path = pathOf(action);
    const first = action.args[0];
    const sub = FUTURE_SUBCOMMANDS[path];
    if (sub && first !== undefined && first in sub) throw notYet(`ratchet ${path} ${first}`, sub[first]);
    const options = action.opts();
    for (const [flag, nearest] of Object.entries(FUTURE_FLAGS[path] ?? {})) {
      const declared = action.options.find((o) => o.long === flag);
      if (declared?.hidden && options[camel(flag)] !== undefined) throw notYet(`ratchet ${path} ${flag}`, nearest);
    }
  });
}
