/** @jsxImportSource hono/jsx */
import type { TaskRow, VersionRow } from "../../store/tasks.ts";
import { CsrfField, Notice } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";

/**
 * The run form. The raw-JSON textarea is the form's one real field, so it works without script;
 * the client script (src/ui/client/run-form.ts) builds fields from the input schema in front of it,
 * validates with @cfworker/json-schema, and writes the JSON into it before the form is sent.
 */
export function RunPage(props: { frame: Frame; task: TaskRow; version: VersionRow; inputText: string; notice?: string }) {
  const { task, version } = props;
  return (
    <Layout title={`Run ${task.name}`} frame={props.frame} section="tasks">
      <h1>
        Run <a href={`/tasks/${task.name}`}>{task.name}</a> <span class="muted small">{version.version}</span>
      </h1>
      {props.notice && <Notice kind="error">{props.notice}</Notice>}
      <form method="post" action={`/tasks/${task.name}/run`} class="run-form" data-run-form data-schema={JSON.stringify(version.inputSchema)}>
        <CsrfField token={props.frame.csrf} />
        <fieldset class="modes" hidden data-modes>
          <legend>Input as</legend>
          <label>
            <input type="radio" name="_mode" value="form" checked /> Form
          </label>
          <label>
            <input type="radio" name="_mode" value="json" /> Raw JSON
          </label>
        </fieldset>
        <div data-fields></div>
        <div data-raw>
          <label for="input">Input (JSON)</label>
          <textarea id="input" name="input" rows={10} spellcheck={false} class="mono">
            {props.inputText}
          </textarea>
        </div>
        <div data-errors role="alert" aria-live="assertive"></div>
        <button type="submit" class="primary">
          Run
        </button>
      </form>
    </Layout>
  );
}
