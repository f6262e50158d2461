/** @jsxImportSource hono/jsx */
import { TRIGGERS } from "../../engine/index.ts";
import type { ExecutionRow } from "../../store/executions.ts";
import { Layout, type Frame } from "../layout.tsx";
import { RunsTable } from "./task.tsx";

export interface HistoryFilter {
  task?: string;
  status?: string;
  trigger?: string;
  since?: string;
  until?: string;
}

/** The query string of a filter, empty fields left out. */
export function filterQuery(filter: HistoryFilter): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  return params.toString();
}

function Select(props: { name: string; label: string; value?: string; options: readonly string[] }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The rows alone: what the page polls for while runs come in. */
export function HistoryRows(props: { runs: ExecutionRow[] }) {
  return <RunsTable runs={props.runs} showTask />;
}

/** Executions newest first, filtered by task, status, trigger and time; the list refreshes itself every few seconds. */
export function HistoryPage(props: { frame: Frame; filter: HistoryFilter; tasks: string[]; runs: ExecutionRow[]; error?: string }) {
  const { filter } = props;
  const query = filterQuery(filter);
  return (
    <Layout title="History" frame={props.frame} section="history">
      <h1>History</h1>
      <form method="get" action="/history" class="filters">
        <Select name="task" label="Task" value={filter.task} options={props.tasks} />
        <Select name="status" label="Status" value={filter.status} options={["completed", "failed"]} />
        <Select name="trigger" label="Trigger" value={filter.trigger} options={TRIGGERS} />
        <div class="field">
          <label for="f-since">Since (UTC)</label>
          <input id="f-since" name="since" type="datetime-local" value={filter.since?.slice(0, 16)} />
        </div>
        <div class="field">
          <label for="f-until">Until (UTC)</label>
          <input id="f-until" name="until" type="datetime-local" value={filter.until?.slice(0, 16)} />
        </div>
        <button type="submit">Filter</button>
      </form>
      {props.error && (
        <p class="notice notice-error" role="alert">
          {props.error}
        </p>
      )}
      <p class="muted small" aria-live="polite" data-poll-status>
        Newest first; new runs appear as they come in.
      </p>
      <div data-poll={`/history/rows${query ? `?${query}` : ""}`}>
        <HistoryRows runs={props.runs} />
      </div>
    </Layout>
  );
}
