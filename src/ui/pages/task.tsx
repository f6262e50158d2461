/** @jsxImportSource hono/jsx */
import type { TaskBundle } from "../../engine/index.ts";
import type { ExecutionRow } from "../../store/executions.ts";
import type { ScheduleRow } from "../../store/schedules.ts";
import type { TaskRow, VersionRow } from "../../store/tasks.ts";
import { DurationChart, RunsChart } from "../charts.tsx";
import { CodeView } from "../code-view.tsx";
import { CsrfField, Json, ms, Notice, Panel, Status, When } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";
import type { HourBucket } from "../stats.ts";

export interface TaskPageProps {
  frame: Frame;
  task: TaskRow;
  version: VersionRow;
  versions: VersionRow[];
  bundle: TaskBundle;
  schedules: ScheduleRow[];
  runs: ExecutionRow[];
  buckets: HourBucket[];
  can: { run: boolean; deploy: boolean };
  notice?: { kind: "ok" | "error"; text: string };
}

/** Recent executions as a table; shared by the task page and the schedule page. */
export function RunsTable(props: { runs: ExecutionRow[]; showTask?: boolean }) {
  if (props.runs.length === 0) return <p class="muted">No runs yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            {props.showTask && <th scope="col">Task</th>}
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Version</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr>
              <td data-label="Started">
                <a href={`/executions/${run.id}`}>
                  <When at={run.startedAt} />
                </a>
              </td>
              {props.showTask && <td data-label="Task">{run.taskName}</td>}
              <td data-label="Status">
                <Status status={run.status} />
                {run.errorType && <span class="small muted"> {run.errorType}</span>}
              </td>
              <td data-label="Trigger">
                {run.trigger}
                {run.attempt > 1 && <span class="small muted"> attempt {run.attempt}</span>}
              </td>
              <td data-label="Version">{run.taskVersion}</td>
              <td data-label="Duration">{ms(run.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One task: what it is, its code and schemas, tests, versions with rollback, schedules, recent runs and charts. */
export function TaskPage(props: TaskPageProps) {
  const { task, version, bundle } = props;
  const meta = version.metadata as Record<string, unknown>;
  return (
    <Layout title={task.name} frame={props.frame} section="tasks">
      <h1>
        {task.name} <span class="muted small">{version.version}</span>
      </h1>
      {props.notice && <Notice kind={props.notice.kind}>{props.notice.text}</Notice>}
      <p>{version.description}</p>
      <div class="actions">
        {props.can.run && (
          <a class="button primary" href={`/tasks/${task.name}/run`}>
            Run {task.name}
          </a>
        )}
        <a class="button" href={`/history?task=${encodeURIComponent(task.name)}`}>
          History
        </a>
      </div>
      <Panel title="Metadata">
        <dl class="facts">
          <dt>Label</dt>
          <dd>{version.label}</dd>
          <dt>Enabled</dt>
          <dd>{task.enabled ? "yes" : "no (invocations are refused)"}</dd>
          <dt>Tags</dt>
          <dd>{version.tags.length === 0 ? "—" : version.tags.map((t) => <span class="tag">{t}</span>)}</dd>
          <dt>Author</dt>
          <dd>{typeof meta.author === "string" ? meta.author : "—"}</dd>
          <dt>Timeout</dt>
          <dd>{typeof meta.timeout === "number" ? `${meta.timeout} ms` : "default"}</dd>
          <dt>Memory limit</dt>
          <dd>{typeof meta.memory_limit === "string" ? meta.memory_limit : "default"}</dd>
          <dt>Content hash</dt>
          <dd class="mono wrap">{version.hash}</dd>
          <dt>Deployed</dt>
          <dd>
            <When at={version.createdAt} />
          </dd>
        </dl>
      </Panel>
      <Panel title="Last 24 hours" id="task-charts">
        <div class="charts">
          <RunsChart buckets={props.buckets} title="Runs per hour" />
          <DurationChart buckets={props.buckets} title="Duration per hour" />
        </div>
      </Panel>
      <Panel title="Recent runs">
        <RunsTable runs={props.runs} />
      </Panel>
      <Panel title="Code">
        <CodeView code={bundle.code} label={`main.js of ${task.name} ${version.version}`} />
      </Panel>
      <div class="two">
        <Panel title="Input schema">
          <Json value={bundle.input_schema} label="input.schema.json" />
        </Panel>
        <Panel title="Output schema">
          <Json value={bundle.output_schema} label="output.schema.json" />
        </Panel>
      </div>
      <Panel title={`Tests (${bundle.tests.length})`} id="tests">
        {bundle.tests.length === 0 ? (
          <p class="muted">No tests.</p>
        ) : (
          bundle.tests.map((test) => (
            <details>
              <summary>
                {test.file}
                {typeof test.case.name === "string" && <span class="muted"> · {test.case.name}</span>}
              </summary>
              <Json value={test.case} label={test.file} />
            </details>
          ))
        )}
      </Panel>
      <Panel title="Versions">
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Deployed</th>
                <th scope="col">Tests</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.versions.map((v) => (
                <tr>
                  <td data-label="Version">{v.version}</td>
                  <td data-label="Deployed">
                    <When at={v.createdAt} />
                  </td>
                  <td data-label="Tests">{v.testCount}</td>
                  <td data-label="Action">
                    {v.id === task.currentVersionId ? (
                      <strong>current</strong>
                    ) : props.can.deploy ? (
                      <form method="post" action={`/tasks/${task.name}/rollback`}>
                        <CsrfField token={props.frame.csrf} />
                        <input type="hidden" name="version" value={v.version} />
                        <button type="submit" aria-label={`Roll back to ${v.version}`}>
                          Roll back
                        </button>
                      </form>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Schedules">
        {props.schedules.length === 0 ? (
          <p class="muted">No schedules.</p>
        ) : (
          <ul>
            {props.schedules.map((s) => (
              <li>
                <a href={`/schedules/${s.id}`}>
                  <code>{s.cron}</code> {s.timezone}
                </a>{" "}
                {s.enabled ? "" : <span class="status status-other">paused</span>}
              </li>
            ))}
          </ul>
        )}
        {props.can.deploy && (
          <a class="button" href={`/schedules?task=${encodeURIComponent(task.name)}#new-schedule`}>
            New schedule
          </a>
        )}
      </Panel>
    </Layout>
  );
}
