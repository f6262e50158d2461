/** @jsxImportSource hono/jsx */
import { RunsChart, DurationChart } from "../charts.tsx";
import { ms, Panel, Status } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";
import type { HourBucket, TaskStats } from "../stats.ts";
import type { TaskRow, VersionRow } from "../../store/tasks.ts";

export interface TaskListRow {
  task: TaskRow;
  version: VersionRow;
  stats: TaskStats | undefined;
}

/** The home page: every task the principal may see, searchable, with its recent record, and the overall charts. */
export function TasksPage(props: { frame: Frame; rows: TaskListRow[]; q: string; buckets: HourBucket[] }) {
  return (
    <Layout title="Tasks" frame={props.frame} section="tasks">
      <h1>Tasks</h1>
      <form method="get" action="/" class="search" role="search">
        <label for="q">Search tasks</label>
        <input id="q" name="q" type="search" value={props.q} placeholder="name, label or description" />
        <button type="submit">Search</button>
      </form>
      {props.rows.length === 0 ? (
        <p class="muted">{props.q ? `No task matches “${props.q}”.` : "No tasks deployed yet: `ratchet deploy DIR --url …` or `ratchet serve` deploys them."}</p>
      ) : (
        <div class="table-wrap">
          <table class="tasks">
            <caption class="sr-only">Tasks with their runs of the last 7 days</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Tags</th>
                <th scope="col">Version</th>
                <th scope="col">Last run</th>
                <th scope="col">Success (7 d)</th>
                <th scope="col">p50 (7 d)</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map(({ task, version, stats }) => (
                <tr>
                  <td data-label="Task">
                    <a href={`/tasks/${task.name}`}>{task.name}</a>
                    <div class="muted small">{version.label}</div>
                    {!task.enabled && <span class="status status-other">disabled</span>}
                  </td>
                  <td data-label="Tags">
                    {version.tags.map((tag) => (
                      <span class="tag">{tag}</span>
                    ))}
                  </td>
                  <td data-label="Version">{version.version}</td>
                  <td data-label="Last run">
                    <Status status={stats?.lastStatus} />
                  </td>
                  <td data-label="Success (7 d)">{stats?.successRate == null ? "—" : `${Math.round(stats.successRate * 100)}% of ${stats.runs}`}</td>
                  <td data-label="p50 (7 d)">{ms(stats?.p50Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Panel title="All tasks, last 24 hours" id="charts">
        <div class="charts">
          <RunsChart buckets={props.buckets} title="Runs per hour" />
          <DurationChart buckets={props.buckets} title="Duration per hour" />
        </div>
      </Panel>
    </Layout>
  );
}
