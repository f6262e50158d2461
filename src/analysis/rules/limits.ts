import { DEFAULT_MAXIMA, LIMIT_ERROR_TYPES, parseMemorySize } from "../../engine/index.ts";
import type { FileChange, Rule } from "../types.ts";

const MiB = 1024 * 1024;

interface LimitCase {
  meaning: string;
  setting: string;
  cause: string;
  fixes: string[];
}

const CASES: Record<(typeof LIMIT_ERROR_TYPES)[number], LimitCase> = {
  CpuLimitError: {
    meaning: "CpuLimitError: the task's code computed for longer than its CPU budget (cpuMs). Time waiting in fetch does not count.",
    setting: "cpuMs: 10 s by default, at most 30 s on this host; metadata.json `timeout` lowers it (the budget is the smaller of the two), it cannot raise it",
    cause: "A loop that does not end, or work that grows with the input (nested loops over large arrays, repeated string concatenation).",
    fixes: ["Look for a loop whose condition never becomes false near the failing line.", "Do less work per run: index with a Map instead of nested loops, page through large inputs."],
  },
  TimeLimitError: {
    meaning: "TimeLimitError: the run took longer than its wall-clock limit (wallMs), time spent waiting in fetch and timers included.",
    setting: "metadata.json `timeout` (ms; 30 s by default, at most 300 s on this host)",
    cause: "Slow API answers, many requests one after another, a long timer, or a loop that does not end.",
    fixes: ["Raise `timeout` in metadata.json if the work is expected to take that long.", "Make fewer or faster requests; see each request's duration with ratchet_get_execution_profile.", "Check for infinite loops."],
  },
  MemoryLimitError: {
    meaning: "MemoryLimitError: the task allocated more heap than its memory limit.",
    setting: "metadata.json `memory_limit` (64MB by default, at most 128MB on this host)",
    cause: "A large response or array kept whole, or data that grows without bound in a loop.",
    fixes: ["Keep only the fields you need from large answers; process items as you go instead of collecting them.", "Raise `memory_limit` in metadata.json if the data really is that large."],
  },
  StackLimitError: {
    meaning: "StackLimitError: the call stack grew past the guest stack size (stackBytes): too deep recursion.",
    setting: "stackBytes (256 KiB, fixed by the host; no metadata setting raises it)",
    cause: "A recursive function without a reachable base case, or recursion as deep as the data.",
    fixes: ["Check the recursion's base case.", "Rewrite the recursion as a loop with an explicit stack array."],
  },
  FetchLimitError: {
    meaning: "FetchLimitError: the run made more requests than allowed (maxFetches), or a response body was larger than allowed (maxResponseBytes).",
    setting: "maxFetches (50 per execution) and maxResponseBytes (5 MiB per response), both fixed by the host; no metadata setting raises them",
    cause: "A request in a loop over many items, a retry loop that never stops, or a very large response.",
    fixes: ["Batch requests (one request for many ids) or split the work over several executions.", "Ask the API for smaller pages."],
  },
  OutputLimitError: {
    meaning: "OutputLimitError: the returned JSON is larger than allowed (maxOutputBytes).",
    setting: "maxOutputBytes (1 MiB, fixed by the host; no metadata setting raises it)",
    cause: "The task returns raw API data or a large array whole.",
    fixes: ["Return only the fields the caller needs; summarise or page large results."],
  },
  LogLimitError: {
    meaning: "LogLimitError: the task wrote more console output than allowed (maxLogLines lines or maxLogBytes bytes).",
    setting: "maxLogLines (1,000) and maxLogBytes (256 KiB), fixed by the host; no metadata setting raises them",
    cause: "console.log inside a loop, or whole responses logged.",
    fixes: ["Log counts and summaries, not every item; log once after the loop."],
  },
};

/** A metadata.json change that raises the limit, when metadata sets it and the host allows more. */
function raise(type: string, metadata: Record<string, unknown> | undefined, text: string | undefined): FileChange | undefined {
  if (!metadata || text === undefined) return undefined;
  const next = { ...metadata };
  if (type === "TimeLimitError") {
    const now = typeof metadata.timeout === "number" ? metadata.timeout : 30_000;
    if (now >= DEFAULT_MAXIMA.wallMs) return undefined;
    next.timeout = Math.min(DEFAULT_MAXIMA.wallMs, now * 2);
  } else if (type === "MemoryLimitError") {
    const now = typeof metadata.memory_limit === "string" ? (parseMemorySize(metadata.memory_limit) ?? 64 * MiB) : 64 * MiB;
    if (now >= DEFAULT_MAXIMA.memoryBytes) return undefined;
    next.memory_limit = `${Math.max(1, Math.round(Math.min(DEFAULT_MAXIMA.memoryBytes, now * 2) / MiB))}MB`;
  } else return undefined;
  return { file: "metadata.json", before: text, after: `${JSON.stringify(next, null, 2)}\n` };
}

/** Each limit error: what it means and which setting raises it. */
export const limitRule: Rule = ({ record, metadata, metadataText }) => {
  const type = record.error.type as (typeof LIMIT_ERROR_TYPES)[number];
  const known = CASES[type];
  if (!known) return undefined;
  const details = (record.error.details ?? {}) as { limit?: string; value?: number };
  const change = raise(type, metadata, metadataText);
  return {
    rule: `limit/${type}`,
    meaning: known.meaning,
    cause: `${record.error.message}. ${known.cause}`,
    fixes: known.fixes,
    details: { limit: details.limit ?? null, value: details.value ?? null, setting: known.setting },
    ...(change ? { change } : {}),
  };
};
