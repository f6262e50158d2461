/** @jsxImportSource hono/jsx */
import type { ScheduleRow, ScheduleRunRow } from "../../store/schedules.ts";
import { CsrfField, Notice, Status, When } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";

/** What a cron expression means and when it runs next, in its time zone. */
export interface CronPreview {
  ok: boolean;
  description?: string;
  next_runs?: { iso: string; local: string }[];
  message?: string;
}

export function PreviewView(props: { preview: CronPreview | null }) {
  const { preview } = props;
  if (!preview) return <p class="muted">Type a cron expression to see what it means and when it runs.</p>;
  if (!preview.ok) return <p class="notice notice-error">{preview.message}</p>;
  return (
    <div>
      <p>
        <strong>{preview.description}</strong>
      </p>
      <p class="muted small">Next five runs:</p>
      <ol class="next-runs">
        {preview.next_runs!.map((run) => (
          <li>
            <time datetime={run.iso}>{run.local}</time>
          </li>
        ))}
      </ol>
    </div>
  );
}

interface NewSchedule {
  task?: string;
  cron?: string;
  timezone?: string;
  input?: string;
  max_attempts?: string;
  backoff_seconds?: string;
}

/** Every schedule, and (with the deploy scope) the form to create one with a live cron preview. */
export function SchedulesPage(props: {
  frame: Frame;
  schedules: ScheduleRow[];
  tasks: string[];
  zones: string[];
  canChange: boolean;
  draft: NewSchedule;
  preview: CronPreview | null;
  notice?: { kind: "ok" | "error"; text: string };
}) {
  const { draft } = props;
  return (
    <Layout title="Schedules" frame={props.frame} section="schedules">
      <h1>Schedules</h1>
      {props.notice && <Notice kind={props.notice.kind}>{props.notice.text}</Notice>}
      {props.schedules.length === 0 ? (
        <p class="muted">No schedules yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Cron</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {props.schedules.map((s) => (
                <tr>
                  <td data-label="Task">
                    <a href={`/schedules/${s.id}`}>{s.taskName}</a>
                  </td>
                  <td data-label="Cron">
                    <code>{s.cron}</code> <span class="small muted">{s.timezone}</span>
                  </td>
                  <td data-label="Next run">{s.enabled ? <When at={s.nextRunAt} /> : "—"}</td>
                  <td data-label="Last run">
                    <Status status={s.lastStatus} />
                  </td>
                  <td data-label="State">{s.enabled ? "enabled" : `paused${s.pausedReason ? `: ${s.pausedReason}` : ""}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.canChange && (
        <section class="panel" aria-labelledby="new-schedule">
          <h2 id="new-schedule">New schedule</h2>
          <form method="post" action="/schedules" class="schedule-form" data-cron-form>
            <CsrfField token={props.frame.csrf} />
            <div class="field">
              <label for="s-task">Task</label>
              <select id="s-task" name="task" required>
                {props.tasks.map((t) => (
                  <option value={t} selected={t === draft.task}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="s-cron">Cron expression</label>
              <input id="s-cron" name="cron" required value={draft.cron ?? ""} placeholder="*/15 * * * *" aria-describedby="s-cron-help" class="mono" autocomplete="off" />
              <small id="s-cron-help">minute hour day-of-month month day-of-week, or a macro such as @daily</small>
            </div>
            <div class="field">
              <label for="s-zone">Time zone</label>
              <input id="s-zone" name="timezone" list="zones" value={draft.timezone ?? "UTC"} data-default-zone={draft.timezone ? undefined : "browser"} autocomplete="off" />
              <datalist id="zones">
                {props.zones.map((z) => (
                  <option value={z} />
                ))}
              </datalist>
            </div>
            <div class="field" aria-live="polite" data-cron-preview>
              <PreviewView preview={props.preview} />
            </div>
            <div class="field">
              <label for="s-input">Input (JSON)</label>
              <textarea id="s-input" name="input" rows={4} class="mono" spellcheck={false}>
                {draft.input ?? "{}"}
              </textarea>
            </div>
            <div class="row">
              <div class="field">
                <label for="s-attempts">Attempts per run</label>
                <input id="s-attempts" name="max_attempts" type="number" min="1" max="10" value={draft.max_attempts ?? ""} placeholder="task default" />
              </div>
              <div class="field">
                <label for="s-backoff">Seconds between attempts</label>
                <input id="s-backoff" name="backoff_seconds" type="number" min="0" value={draft.backoff_seconds ?? ""} placeholder="60" />
              </div>
            </div>
            <button type="submit" class="primary">
              Create schedule
            </button>
          </form>
        </section>
      )}
    </Layout>
  );
}

/** One schedule: its settings and next runs, enable/disable, run now, and its runs with their attempts. */
export function SchedulePage(props: { frame: Frame; row: ScheduleRow; preview: CronPreview; runs: ScheduleRunRow[]; can: { change: boolean; run: boolean }; notice?: { kind: "ok" | "error"; text: string } }) {
  const { row } = props;
  return (
    <Layout title={`Schedule of ${row.taskName}`} frame={props.frame} section="schedules">
      <h1>
        <code>{row.cron}</code> · <a href={`/tasks/${row.taskName}`}>{row.taskName}</a>
      </h1>
      {props.notice && <Notice kind={props.notice.kind}>{props.notice.text}</Notice>}
      <dl class="facts">
        <dt>Time zone</dt>
        <dd>{row.timezone}</dd>
        <dt>State</dt>
        <dd>{row.enabled ? "enabled" : `paused${row.pausedReason ? `: ${row.pausedReason}` : ""}`}</dd>
        <dt>Retries</dt>
        <dd>
          up to {row.maxAttempts} attempts, {row.backoffSeconds} s apart
        </dd>
        <dt>Runs / failures</dt>
        <dd>
          {row.runCount} / {row.failureCount}
        </dd>
        <dt>Source</dt>
        <dd>{row.source === "metadata" ? "declared in metadata.json" : "created in the dashboard or through the API"}</dd>
      </dl>
      <section class="panel" aria-labelledby="h-when">
        <h2 id="h-when">When it runs</h2>
        {row.enabled ? <PreviewView preview={props.preview} /> : <p class="muted">Paused: no runs until it is enabled again.</p>}
      </section>
      <div class="actions">
        {props.can.change && (
          <form method="post" action={`/schedules/${row.id}/enabled`}>
            <CsrfField token={props.frame.csrf} />
            <input type="hidden" name="enabled" value={row.enabled ? "false" : "true"} />
            <button type="submit">{row.enabled ? "Disable" : "Enable"}</button>
          </form>
        )}
        {props.can.run && (
          <form method="post" action={`/schedules/${row.id}/run`}>
            <CsrfField token={props.frame.csrf} />
            <button type="submit" class="primary">
              Run now
            </button>
          </form>
        )}
      </div>
      <section class="panel" aria-labelledby="h-runs">
        <h2 id="h-runs">Runs</h2>
        {props.runs.length === 0 ? (
          <p class="muted">No scheduled runs yet (Run now records a run in the history, not here).</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Slot</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Executions</th>
                </tr>
              </thead>
              <tbody>
                {props.runs.map((r) => (
                  <tr>
                    <td data-label="Slot">
                      <When at={r.slot} />
                    </td>
                    <td data-label="Status">
                      <Status status={r.status} />
                      {r.nextAttemptAt && (
                        <span class="small muted">
                          {" "}
                          retry at <When at={r.nextAttemptAt} />
                        </span>
                      )}
                    </td>
                    <td data-label="Attempts">{r.attempt}</td>
                    <td data-label="Executions">
                      {r.firstExecutionId && <a href={`/executions/${r.firstExecutionId}`}>first</a>}
                      {r.lastExecutionId && r.lastExecutionId !== r.firstExecutionId && (
                        <>
                          {" · "}
                          <a href={`/executions/${r.lastExecutionId}`}>last</a>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
