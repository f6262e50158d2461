import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The task mix `npm run load` deploys: one folder per kind, written to a temporary tasks folder.
 * Each kind says what a correct answer to its request is, so the load script can count every
 * other answer as unexpected.
 */
export interface LoadTask {
  name: string;
  /** Requests of this kind in each round of 19 a connection sends (with every kind). */
  weight: number;
  metadata: Record<string, unknown>;
  code: string;
  input: (upstream: string) => unknown;
  expectedStatus: number;
  /** Checks the parsed body of an answer with the expected status; a string says what was wrong. */
  check: (body: unknown) => string | undefined;
}

const uuid = (n: number) => `5a0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c${String(n).padStart(2, "0")}`;

const failedWith = (types: string[]) => (body: unknown) => {
  const type = (body as { error?: { details?: { type?: unknown } } } | null)?.error?.details?.type;
  return typeof type === "string" && types.includes(type) ? undefined : `expected a task_failed error of type ${types.join(" or ")}, got ${JSON.stringify(body).slice(0, 300)}`;
};

export const LOAD_TASKS: LoadTask[] = [
  {
    name: "load-fast",
    weight: 10,
    metadata: { timeout: 1000 },
    code: "(function(input) { let sum = 0; for (let i = 1; i <= input.n; i++) sum += i * i; return { sum }; })",
    input: () => ({ n: 200 }),
    expectedStatus: 200,
    check: (body) => ((body as { sum?: unknown }).sum === 2_686_700 ? undefined : `expected {"sum":2686700}, got ${JSON.stringify(body)}`),
  },
  {
    name: "load-fetch",
    weight: 4,
    metadata: { timeout: 5000 },
    code: `(function(input) {
  const response = fetch(input.url);
  if (!response.ok) throw new NetworkError("upstream answered " + response.status);
  return { upstream: response.json() };
})`,
    input: (upstream) => ({ url: upstream }),
    expectedStatus: 200,
    check: (body) => ((body as { upstream?: { ok?: unknown } }).upstream?.ok === true ? undefined : `expected {"upstream":{"ok":true}}, got ${JSON.stringify(body)}`),
  },
  {
    name: "load-fail",
    weight: 2,
    metadata: { timeout: 1000 },
    code: `(function(input) { throw new DataError("refusing " + input.what + " on purpose"); })`,
    input: () => ({ what: "this input" }),
    expectedStatus: 422,
    check: failedWith(["DataError"]),
  },
  {
    name: "load-cpu",
    weight: 2,
    // A small budget keeps the spin from taking over workerd's one thread.
    metadata: { timeout: 20 },
    code: "(function() { while (true) {} })",
    input: () => ({}),
    expectedStatus: 422,
    check: failedWith(["CpuLimitError", "TimeLimitError"]),
  },
  {
    name: "load-memory",
    // One in 19: QuickJS counts these arrays low, so the bomb fills the wasm memory up to its run's cap (16 MiB + 2 MB):
    // ~47 ms of workerd's thread (21 runs/s alone, 10 connections), about 2x a CPU-limited run.
    weight: 1,
    metadata: { timeout: 2000, memory_limit: "2MB" },
    code: "(function() { const kept = []; while (true) kept.push(new Array(1024).fill(kept.length)); })",
    input: () => ({}),
    expectedStatus: 422,
    check: failedWith(["MemoryLimitError"]),
  },
];

/** Writes each task as a folder (metadata.json, main.js, both schemas) under `tasksDir`. */
export async function writeLoadTasks(tasksDir: string): Promise<void> {
  for (const [i, task] of LOAD_TASKS.entries()) {
    const dir = join(tasksDir, task.name);
    await mkdir(dir, { recursive: true });
    const metadata = { uuid: uuid(i), version: "1.0.0", label: task.name, description: `npm run load: the ${task.name} kind`, tags: ["load"], ...task.metadata };
    await writeFile(join(dir, "metadata.json"), JSON.stringify(metadata, null, 2));
    await writeFile(join(dir, "main.js"), `${task.code}\n`);
    await writeFile(join(dir, "input.schema.json"), JSON.stringify({ type: "object" }));
    await writeFile(join(dir, "output.schema.json"), JSON.stringify({ type: "object" }));
  }
}
