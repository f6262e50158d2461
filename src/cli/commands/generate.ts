import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalMemorySize, checkLimitRequest, formatProblem, metadataSchema } from "../../engine/index.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../../ops/errors.ts";
import type { CliIo } from "../../ops/io.ts";
import { TEMPLATE_ALIASES, TEMPLATE_NAMES, TEMPLATES } from "../templates.ts";
import { SECRETS_FILE } from "../../ops/secrets-file.ts";

export interface GenerateOptions {
  label?: string;
  description?: string;
  author?: string;
  tags?: string;
  template?: string;
  fromTemplate?: string;
  /** Write tests/ with tests that pass; without it no tests/ folder is written (the guide's walkthroughs make it). */
  includeTests?: boolean;
  includeDocs?: boolean;
  inputValidation?: "strict" | "lenient";
  timeout?: string;
  memoryLimit?: string;
  retryAttempts?: string;
  dir: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;
const RETRY = metadataSchema.properties.retry_attempts;

function titleCase(name: string): string {
  return name.split(/[-_.]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ");
}

/** The task's README: every command runs as printed from the task folder itself. */
function readme(metadata: { label: string; description: string }, template: string, example: object, withTests: boolean): string {
  const tests = withTests
    ? "ratchet test .                    # runs tests/*.json"
    : "mkdir tests                       # then write tests/test-001.json (input, expected_output) and run: ratchet test .";
  return `# ${metadata.label}

${metadata.description}

Generated from the \`${template}\` template. Inputs are described in \`input.schema.json\`; \`output.schema.json\`
accepts any object until you tighten it. Run these from this folder (the one holding this README):

\`\`\`bash
ratchet validate .
ratchet run-once . --input-json='${JSON.stringify(example)}'
${tests}
\`\`\`
`;
}

function parseTimeout(text: string | undefined): number {
  const timeout = text === undefined ? 30_000 : Number(text);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive whole number of milliseconds, such as 30000, not "${text}"`);
  return timeout;
}

function parseRetryAttempts(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const attempts = Number(text);
  if (!Number.isInteger(attempts) || attempts < RETRY.minimum || attempts > RETRY.maximum) {
    throw new UsageError(`--retry-attempts must be a whole number from ${RETRY.minimum} to ${RETRY.maximum} (attempts per scheduled run, the first included), not "${text}"`);
  }
  return attempts;
}

export async function generateTaskCommand(name: string, options: GenerateOptions, io: CliIo): Promise<number> {
  if (!NAME.test(name)) throw new UsageError(`task name "${name}" may contain only letters, digits, ".", "_" and "-"`);
  const requested = options.fromTemplate ?? options.template ?? "basic";
  const templateName = TEMPLATE_ALIASES[requested];
  if (!templateName) throw new UsageError(`unknown template "${requested}"; use one of ${TEMPLATE_NAMES.join(", ")}`);
  const timeout = parseTimeout(options.timeout);
  const memoryLimit = canonicalMemorySize(options.memoryLimit ?? "64MB");
  if (memoryLimit === undefined) throw new UsageError(`--memory-limit must be a size such as "128MB", "512KB" or "1GB" (any case), not "${options.memoryLimit}"`);
  const retryAttempts = parseRetryAttempts(options.retryAttempts);
  // The same judgement validate makes: refuse what it would refuse, and say now what it would warn about.
  const limitProblems = checkLimitRequest({ timeout, memory_limit: memoryLimit });
  const refused = limitProblems.find((p) => p.severity === "error");
  if (refused) throw new UsageError(`${refused.message}. ${refused.hint ?? ""}`.trim());

  const target = join(options.dir, name);
  if (await stat(target).catch(() => undefined)) throw new UsageError(`${target} already exists; choose another name or remove it`);

  const template = TEMPLATES[templateName];
  const metadata = {
    uuid: crypto.randomUUID(),
    version: "1.0.0",
    label: options.label ?? titleCase(name),
    description: options.description ?? `${titleCase(name)} task`,
    author: options.author ?? "",
    tags: (options.tags ?? "").split(",").map((t) => t.trim()).filter(Boolean),
    timeout,
    memory_limit: memoryLimit,
    ...(retryAttempts === undefined ? {} : { retry_attempts: retryAttempts }),
    ...(template.network ? { network: template.network } : {}),
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
    "metadata.json": json(metadata),
    "main.js": template.code,
    // strict: the input may hold only the properties the schema names.
    "input.schema.json": json(options.inputValidation === "strict" ? { ...template.input, additionalProperties: false } : template.input),
    "output.schema.json": json(template.output),
    // The task's local secrets (run-once, test, mcp-serve) stay out of git; deploys never carry them.
    ".gitignore": `${SECRETS_FILE}\n`,
  };
  const withTests = options.includeTests === true;
  if (withTests) {
    for (const [file, test] of Object.entries(template.tests)) files[`tests/${file}`] = json(test);
  }
  if (options.includeDocs) files["README.md"] = readme(metadata, templateName, template.example, withTests);

  await mkdir(join(target, withTests ? "tests" : ""), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(target, file), text);
  for (const problem of limitProblems) io.err(formatProblem({ ...problem, file: join(target, problem.file) }));
  io.out(`created ${target} from the ${templateName} template (${Object.keys(files).length} files${withTests ? "" : "; no tests/: add them, or generate with --include-tests"})`);
  io.out(`next: edit ${join(target, "input.schema.json")} and ${join(target, "main.js")}, then: ratchet validate ${target}${withTests ? ` && ratchet test ${target}` : ""}`);
  return EXIT.ok;
}
