import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseMemorySize } from "../../engine/index.ts";
import { EXIT, UsageError } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { TEMPLATE_ALIASES, TEMPLATE_NAMES, TEMPLATES } from "../templates.ts";

export interface GenerateOptions {
  label?: string;
  description?: string;
  author?: string;
  tags?: string;
  template?: string;
  fromTemplate?: string;
  includeTests: boolean;
  includeDocs?: boolean;
  inputValidation?: "strict" | "lenient";
  timeout?: string;
  memoryLimit?: string;
  dir: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

function titleCase(name: string): string {
  return name.split(/[-_.]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ");
}

function readme(name: string, metadata: { label: string; description: string }, template: string): string {
  return `# ${metadata.label}

${metadata.description}

Generated from the \`${template}\` template. Inputs are described in \`input.schema.json\`, outputs in \`output.schema.json\`.

\`\`\`bash
npx ratchet validate ${name}
npx ratchet test ${name}
npx ratchet run-once ${name} --input-file ${name}/tests/test-001.json  # or --input-json='{...}'
\`\`\`
`;
}

export async function generateTaskCommand(name: string, options: GenerateOptions, io: CliIo): Promise<number> {
  if (!NAME.test(name)) throw new UsageError(`task name "${name}" may contain only letters, digits, ".", "_" and "-"`);
  const requested = options.fromTemplate ?? options.template ?? "basic";
  const templateName = TEMPLATE_ALIASES[requested];
  if (!templateName) throw new UsageError(`unknown template "${requested}"; use one of ${TEMPLATE_NAMES.join(", ")}`);
  const timeout = options.timeout === undefined ? 30_000 : Number(options.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, not "${options.timeout}"`);
  const memoryLimit = options.memoryLimit ?? "64MB";
  if (parseMemorySize(memoryLimit) === undefined) throw new UsageError(`--memory-limit must look like "128MB", not "${memoryLimit}"`);

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
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
    "metadata.json": json(metadata),
    "main.js": template.code,
    // strict: the input may hold only the properties the schema names.
    "input.schema.json": json(options.inputValidation === "strict" ? { ...template.input, additionalProperties: false } : template.input),
    "output.schema.json": json(template.output),
  };
  if (options.includeTests) {
    for (const [file, test] of Object.entries(template.tests)) files[`tests/${file}`] = json(test);
  }
  if (options.includeDocs) files["README.md"] = readme(name, metadata, templateName);

  await mkdir(join(target, "tests"), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(target, file), text);
  io.out(`created ${target} from the ${templateName} template (${Object.keys(files).length} files)`);
  io.out(`next: ratchet validate ${target} && ratchet test ${target}`);
  return EXIT.ok;
}
