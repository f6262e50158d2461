/**
 * `npm run load [-- --duration 30 --connections 50]`: the local Worker under load, as users run
 * it (`ratchet serve` from the built dist/cli.js, on a temporary tasks folder, state on disk),
 * driven by autocannon on 127.0.0.1 with a mix of tasks (bench/load-tasks.ts): pure compute, a
 * fetch from a local upstream, a task that throws, and tasks that hit their CPU and memory limits.
 * It reports requests/s, p50/p99 latency (all answers, and per kind), status code counts and
 * unexpected answers (a connection error, a 5xx, an answer without an execution id, or any
 * status or body other than the one the kind of its recorded task expects), then reads every
 * execution record back through GET /api/v1/executions and compares them with the answers:
 * every answered execution id must be recorded, and nothing else may be, apart from requests
 * that got no answer (in flight when autocannon stopped, which closes their connections, or on
 * a connection that failed; workerd may still run and record them). Writes bench/results/load.json and exits
 * 1 on any unexpected answer or record mismatch. Bounded: it gives up (killing serve) after the
 * run plus 4 minutes.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type RequestSpec } from "autocannon";
import { descendants, startServe, type ServeProcess } from "../test/support/serve-process.ts";
import { LOAD_TASKS, writeLoadTasks, type LoadTask } from "./load-tasks.ts";
import { percentile, startSlowUpstream, type Upstream } from "./support.ts";

const root = join(import.meta.dirname, "..");
const UPSTREAM_MS = 10;
/**
 * Node closes a keep-alive connection idle for 5 s; under this load workerd then reused some just as
 * they closed (9 of 213 fetches failed with "Network connection lost", a NetworkError the task saw).
 * Real APIs keep connections longer (nginx 75 s), so the stand-in does too.
 */
const UPSTREAM_KEEP_ALIVE_MS = 75_000;
const PAGE = 200;
// Far above what one client sends here, so a per-client or per-token limit cannot shape the figures.
const NO_RATE_LIMIT = "1000000000";

const { values: args } = parseArgs({ options: { duration: { type: "string", default: "30" }, connections: { type: "string", default: "50" }, tasks: { type: "string" } } });
const duration = Number(args.duration);
const connections = Number(args.connections);
// --tasks load-fast,load-cpu drives only those kinds (to see what each costs alone).
const mix = args.tasks === undefined ? LOAD_TASKS : LOAD_TASKS.filter((t) => args.tasks!.split(",").includes(t.name));
if (!(duration > 0) || !Number.isInteger(connections) || connections < 1 || mix.length === 0) {
  console.error(`usage: npm run load -- [--duration SECONDS] [--connections N] [--tasks ${LOAD_TASKS.map((t) => t.name).join(",")}]`);
  process.exit(2);
}

let serve: ServeProcess | undefined;
let upstream: Upstream | undefined;
let work: string | undefined;

async function cleanUp(): Promise<void> {
  if (serve && serve.child.pid !== undefined) {
    const below = descendants(serve.child.pid);
    serve.child.kill("SIGTERM");
    const stopped = await Promise.race([serve.exited.then(() => true), new Promise<false>((done) => setTimeout(() => done(false), 15_000))]);
    if (!stopped) for (const pid of [serve.child.pid, ...below]) process.kill(pid, "SIGKILL");
  }
  await upstream?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}

const giveUp = setTimeout(() => {
  console.error(`load: gave up after ${duration + 240} s`);
  void cleanUp().finally(() => process.exit(1));
}, (duration + 240) * 1000);
giveUp.unref();

interface KindFigures {
  answered: number;
  unexpected: number;
  statuses: Record<string, number>;
  latencies: number[];
}

interface Answer {
  status: number;
  text: string;
  id: string | undefined;
  latencyMs: number;
}

/**
 * Every answer, judged once the run is over by the task its execution record names: after a
 * connection reset, autocannon hands later answers on that connection to the wrong request of
 * its list, so the list's order cannot say which task an answer is for.
 */
const answers: Answer[] = [];

function requestsFor(upstreamUrl: string): RequestSpec[] {
  // Interleaved, so each connection spreads its kinds over its round instead of sending them in blocks.
  const sequence = interleave(mix.flatMap((task) => Array.from({ length: task.weight }, () => task)));
  return sequence.map((task) => ({
    method: "POST",
    path: `/api/v1/run/${task.name}`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(task.input(upstreamUrl)),
    setupRequest: (request, context) => {
      // One request at a time per connection: the next answer on it is this request's.
      context.sentAt = performance.now();
      return request;
    },
    onResponse: (status, text, context, headers) => {
      // autocannon keeps the header names as sent.
      const id = Object.entries(headers).find(([name]) => name.toLowerCase() === "x-ratchet-execution-id")?.[1];
      answers.push({ status, text, id: typeof id === "string" ? id : undefined, latencyMs: performance.now() - (context.sentAt as number) });
    },
  }));
}

/** Judges each answer against the kind of the task its record names; an answer with no execution id, or whose id names no task of the mix, is unexpected. */
function judge(taskOf: Map<string, string>): { figures: Map<string, KindFigures>; unexpected: number; samples: string[] } {
  const figures = new Map<string, KindFigures>(mix.map((t) => [t.name, { answered: 0, unexpected: 0, statuses: {}, latencies: [] }]));
  const samples: string[] = [];
  let unexpected = 0;
  const note = (kind: KindFigures | undefined, what: string) => {
    unexpected++;
    if (kind) kind.unexpected++;
    if (samples.length < 20) samples.push(what);
  };
  for (const answer of answers) {
    const taskName = answer.id === undefined ? undefined : taskOf.get(answer.id);
    const task = mix.find((t) => t.name === taskName);
    if (!task) {
      note(undefined, `status ${answer.status} with ${answer.id === undefined ? "no execution id" : `execution ${answer.id} of no task in the mix`}: ${answer.text.slice(0, 300)}`);
      continue;
    }
    const kind = figures.get(task.name)!;
    kind.answered++;
    kind.statuses[answer.status] = (kind.statuses[answer.status] ?? 0) + 1;
    kind.latencies.push(answer.latencyMs);
    if (answer.status !== task.expectedStatus) {
      note(kind, `${task.name}: status ${answer.status}: ${answer.text.slice(0, 300)}`);
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      note(kind, `${task.name}: a body that is not JSON: ${answer.text.slice(0, 300)}`);
      continue;
    }
    const wrong = task.check(body);
    if (wrong) note(kind, `${task.name}: ${wrong}`);
  }
  return { figures, unexpected, samples };
}

/** Spreads repeated entries out: one of each in turn while any are left. */
function interleave(tasks: LoadTask[]): LoadTask[] {
  const left = new Map<LoadTask, number>();
  for (const task of tasks) left.set(task, (left.get(task) ?? 0) + 1);
  const out: LoadTask[] = [];
  while (out.length < tasks.length) {
    for (const [task, count] of left) {
      if (count === 0) continue;
      out.push(task);
      left.set(task, count - 1);
    }
  }
  return out;
}

/** Every execution id the API lists, with its task, page by page (the list's own cursor). */
async function recordedIds(base: string): Promise<{ ids: Map<string, string>; pages: number }> {
  const ids = new Map<string, string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `${base}/api/v1/executions?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { executions: { id: string; task: string }[]; next_cursor: string | null };
    for (const execution of page.executions) ids.set(execution.id, execution.task);
    cursor = page.next_cursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

/** The sum of ratchet_executions_total over this run's tasks, from /metrics (D1's totals kept with the records). */
async function metricsTotal(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^ratchet_executions_total\{task="(load-[a-z]+)",status="[a-z]+"\} (\d+)$/gm)) total += Number(match[2]);
  return total;
}

/** One request of each kind before the run: a task that does not behave as its kind says stops here. */
async function preflight(base: string, upstreamUrl: string): Promise<void> {
  for (const task of LOAD_TASKS) {
    const response = await fetch(`${base}/api/v1/run/${task.name}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(task.input(upstreamUrl)) });
    const text = await response.text();
    const wrong = response.status !== task.expectedStatus ? `status ${response.status}` : task.check(JSON.parse(text));
    if (wrong) throw new Error(`${task.name} does not answer as expected before the load (${wrong}): ${text.slice(0, 500)}`);
  }
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<number> {
  work = await mkdtemp(join(os.tmpdir(), "ratchet-load-"));
  await writeLoadTasks(join(work, "tasks"));
  upstream = await startSlowUpstream(UPSTREAM_MS, UPSTREAM_KEEP_ALIVE_MS);
  const env: NodeJS.ProcessEnv = { RATCHET_RATE_LIMIT_CLIENT: NO_RATE_LIMIT, RATCHET_RATE_LIMIT_TOKEN: NO_RATE_LIMIT };
  delete process.env.RATCHET_API_TOKEN;
  serve = startServe(process.execPath, [join(root, "bin/ratchet.js"), "serve", "--port", "0", "--no-watch"], work, env);
  const [, base] = (await serve.waitFor(/serving the Worker on (http:\/\/\S+)/, 120_000)) as unknown as [string, string];
  await serve.waitFor(new RegExp(`${LOAD_TASKS.length} tasks deployed`), 120_000);
  await preflight(base, upstream.url);

  const before = await recordedIds(base);
  const metricsBefore = await metricsTotal(base);
  const connectionErrors: string[] = [];
  console.log(`load: ${connections} connections for ${duration} s against ${base} (ratchet serve, pid ${serve.child.pid}); mix per round: ${mix.map((t) => `${t.weight} ${t.name}`).join(", ")}`);
  const instance = autocannon({ url: base, connections, duration, timeout: 30, requests: requestsFor(upstream.url) });
  instance.on("reqError", (error) => connectionErrors.length < 20 && connectionErrors.push(String(error)));
  const result = await instance;

  // Requests cut off when autocannon stopped may still finish inside workerd: let them.
  await new Promise((done) => setTimeout(done, 2_000));
  const after = await recordedIds(base);
  const metricsAfter = await metricsTotal(base);
  const newIds = [...after.ids.keys()].filter((id) => !before.ids.has(id));
  const answeredIds = new Set(answers.flatMap((a) => (a.id === undefined ? [] : [a.id])));
  const missing = [...answeredIds].filter((id) => !after.ids.has(id));
  const recordedUnanswered = newIds.length - (answeredIds.size - missing.length);
  // At most one request per connection was in flight when autocannon stopped (one at a time each), plus one per failed connection.
  const unanswered = connections + result.errors;
  const judged = judge(after.ids);
  const serverErrors = Object.entries(result.statusCodeStats).filter(([code]) => Number(code) >= 500).reduce((sum, [, s]) => sum + s.count, 0);
  const unexpected = judged.unexpected + result.errors;
  const recordMismatch = missing.length > 0 || recordedUnanswered < 0 || recordedUnanswered > unanswered;

  const report = {
    command: `npm run load -- --duration ${duration} --connections ${connections}${args.tasks === undefined ? "" : ` --tasks ${args.tasks}`}`,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, load_average_at_end: os.loadavg().map((l) => round(l, 2)) },
    host: "ratchet serve (dist/cli.js: the built Worker in workerd via Miniflare, local D1 and R2 on disk)",
    upstream_delay_ms: UPSTREAM_MS,
    upstream_keep_alive_ms: UPSTREAM_KEEP_ALIVE_MS,
    connections,
    duration_s: result.duration,
    requests_per_second: round(result.requests.average),
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    kinds: Object.fromEntries(
      mix.map((task) => {
        const kind = judged.figures.get(task.name)!;
        const sorted = kind.latencies.sort((a, b) => a - b);
        return [task.name, { expected_status: task.expectedStatus, answered: kind.answered, statuses: kind.statuses, unexpected: kind.unexpected, p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) }];
      }),
    ),
    unexpected: { total: unexpected, answers: judged.unexpected, server_errors: serverErrors, connection_errors: result.errors, timeouts: result.timeouts, samples: [...judged.samples, ...connectionErrors] },
    records: {
      accepted_answers: answeredIds.size,
      new_records: newIds.length,
      answered_and_recorded: answeredIds.size - missing.length,
      answered_but_missing: missing.length,
      recorded_without_answer: recordedUnanswered,
      at_most_unanswered: unanswered,
      metrics_total_delta: metricsAfter - metricsBefore,
      pages_read: after.pages,
      match: !recordMismatch,
    },
  };
  await mkdir(join(root, "bench/results"), { recursive: true });
  await writeFile(join(root, "bench/results/load.json"), `${JSON.stringify(report, null, 2)}\n`);

  console.log(`requests/s ${report.requests_per_second}   latency p50 ${report.latency_ms.p50} ms  p99 ${report.latency_ms.p99} ms  (${answers.length} answers in ${result.duration} s)`);
  console.log(`status codes ${JSON.stringify(report.status_codes)}`);
  for (const [name, kind] of Object.entries(report.kinds)) console.log(`  ${name.padEnd(12)} ${String(kind.answered).padStart(7)} answers  ${JSON.stringify(kind.statuses).padEnd(22)} unexpected ${kind.unexpected}  p50 ${kind.p50_ms} ms  p99 ${kind.p99_ms} ms`);
  console.log(`unexpected: ${unexpected} (answers ${judged.unexpected}, 5xx ${serverErrors}, connection errors ${result.errors})${unexpected ? `\n  ${report.unexpected.samples.join("\n  ")}` : ""}`);
  console.log(
    `records: ${answeredIds.size} accepted answers, ${newIds.length} new records (/metrics: ${report.records.metrics_total_delta}); answered but not recorded ${missing.length}; recorded without an answer ${recordedUnanswered} (at most ${unanswered}: one in flight per connection when autocannon stopped, one per failed connection) — ${recordMismatch ? "MISMATCH" : "match"}`,
  );
  console.log("wrote bench/results/load.json");
  return unexpected > 0 || recordMismatch ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
  if (serve) console.error(`ratchet serve said:\n${serve.log().slice(-3000)}`);
} finally {
  await cleanUp();
}
process.exit(code);
