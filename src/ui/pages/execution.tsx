/** @jsxImportSource hono/jsx */
import type { HttpTraceEntry } from "../../engine/index.ts";
import type { ExecutionRow } from "../../store/executions.ts";
import { Json, ms, Panel, Status, When } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";

/** What analyze_execution_error said about a failure (the fields shown here). */
export interface Diagnosis {
  rule: string;
  meaning: string;
  cause: string;
  fixes: string[];
  location: { line: number; column: number; context: { line: number; text: string; failing: boolean }[] } | null;
  notes: string[];
}

interface ErrorRecord {
  type: string;
  message: string;
  stack?: string;
  details?: unknown;
}

/** The failing lines of main.js with their real numbers. */
function FailingLines(props: { location: NonNullable<Diagnosis["location"]> }) {
  const first = props.location.context[0]?.line ?? 1;
  return (
    <div class="code failing" tabindex={0} role="region" aria-label={`main.js around line ${props.location.line}`}>
      <ol start={first}>
        {props.location.context.map((l) => (
          <li class={l.failing ? "marked" : undefined}>
            <code>{l.text || " "}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** One execution with everything recorded; for a failure, the analysis. */
export function ExecutionPage(props: { frame: Frame; row: ExecutionRow; diagnosis: Diagnosis | null; canRun: boolean }) {
  const { row, diagnosis } = props;
  const error = row.error as ErrorRecord | null;
  const logs = (row.logs ?? []) as { level: string; time: string; message: string }[];
  const http = (row.http ?? []) as HttpTraceEntry[];
  const timings = (row.timings ?? {}) as Record<string, unknown>;
  const { limits, ...times } = timings;
  return (
    <Layout title={`Execution ${row.id}`} frame={props.frame} section="history">
      <h1>
        <a href={`/tasks/${row.taskName}`}>{row.taskName}</a> <Status status={row.status} />
      </h1>
      <p class="mono small wrap">{row.id}</p>
      <div class="actions">
        {props.canRun && (
          <a class="button primary" href={`/tasks/${row.taskName}/run?from=${row.id}`}>
            Run again
          </a>
        )}
        <a class="button" href={`/history?task=${encodeURIComponent(row.taskName)}`}>
          History of {row.taskName}
        </a>
      </div>
      <dl class="facts">
        <dt>Version</dt>
        <dd>{row.taskVersion}</dd>
        <dt>Trigger</dt>
        <dd>{row.trigger}</dd>
        <dt>Attempt</dt>
        <dd>{row.attempt}</dd>
        {row.scheduleId && (
          <>
            <dt>Schedule</dt>
            <dd>
              <a href={`/schedules/${row.scheduleId}`}>{row.scheduleId}</a>
            </dd>
          </>
        )}
        {row.retryOf && (
          <>
            <dt>Retry of</dt>
            <dd>
              <a href={`/executions/${row.retryOf}`}>{row.retryOf}</a>
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>
          <When at={row.startedAt} />
        </dd>
        <dt>Duration</dt>
        <dd>{ms(row.durationMs)}</dd>
      </dl>
      {error ? (
        <Panel title="Error">
          <p class="error-line">
            <strong>{error.type}</strong>: {error.message}
          </p>
          {diagnosis?.location && <FailingLines location={diagnosis.location} />}
          {error.stack && (
            <details>
              <summary>Stack</summary>
              <pre class="json">{error.stack}</pre>
            </details>
          )}
          {error.details !== undefined && <Json value={error.details} label="Error details" />}
        </Panel>
      ) : (
        <Panel title="Output">
          <Json value={row.output} label="Output" />
        </Panel>
      )}
      {diagnosis && (
        <Panel title="Diagnosis">
          <p>
            <strong>{diagnosis.cause}</strong>
          </p>
          <p class="muted">
            {diagnosis.meaning} <span class="mono small">({diagnosis.rule})</span>
          </p>
          <ul>
            {diagnosis.fixes.map((fix) => (
              <li>{fix}</li>
            ))}
          </ul>
          {diagnosis.notes.map((note) => (
            <p class="muted small">{note}</p>
          ))}
        </Panel>
      )}
      <Panel title={`Logs (${logs.length})`} id="logs">
        {logs.length === 0 ? (
          <p class="muted">No console output.</p>
        ) : (
          <ol class="logs">
            {logs.map((l) => (
              <li class={`log log-${l.level}`}>
                <span class="level">{l.level}</span> <span class="mono">{l.message}</span>
              </li>
            ))}
          </ol>
        )}
      </Panel>
      <Panel title={`HTTP (${http.length})`} id="http">
        {http.length === 0 ? (
          <p class="muted">No requests.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Time</th>
                  <th scope="col">Bytes out / in</th>
                </tr>
              </thead>
              <tbody>
                {http.map((h) => (
                  <tr>
                    <td data-label="Request" class="wrap">
                      <span class="mono">{h.method}</span> {h.url}
                      {h.redirects?.map((to) => <div class="small muted">→ {to}</div>)}
                    </td>
                    <td data-label="Status">{h.status ?? <span class="status status-bad">{h.error ?? "no answer"}</span>}</td>
                    <td data-label="Time">{ms(h.durationMs)}</td>
                    <td data-label="Bytes">
                      {h.requestBytes} / {h.responseBytes}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel title="Timings">
        <dl class="facts">
          {Object.entries(times).map(([key, value]) => (
            <>
              <dt>{key}</dt>
              <dd>{typeof value === "number" ? ms(value) : String(value)}</dd>
            </>
          ))}
        </dl>
        {limits !== undefined && (
          <details>
            <summary>Limits</summary>
            <Json value={limits} label="Limits" />
          </details>
        )}
      </Panel>
      <Panel title="Input">
        <Json value={row.input} label="Input (secrets redacted)" />
      </Panel>
    </Layout>
  );
}
