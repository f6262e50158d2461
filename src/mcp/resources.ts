import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/server";
import type { Workspace } from "../workspace/workspace.ts";
import { TASK_GUIDE } from "./guide.ts";

export const GUIDE_URI = "ratchet://guide";
/** {+file}: a file may sit in a folder (tests/test-001.json). */
export const TASK_FILE_TEMPLATE = "ratchet://tasks/{name}/{+file}";
export const EXECUTION_TEMPLATE = "ratchet://executions/{id}";

export const taskFileUri = (name: string, file: string) => `ratchet://tasks/${encodeURIComponent(name)}/${encodeURI(file)}`;
export const executionUri = (id: string) => `ratchet://executions/${encodeURIComponent(id)}`;

/** Listing stops here: a client wanting more asks the tools (ratchet_list_available_tasks, ratchet_list_executions), which paginate. */
const LISTED_TASKS = 50;
const LISTED_EXECUTIONS = 50;

const mimeTypeOf = (file: string) => (file.endsWith(".json") ? "application/json" : file.endsWith(".js") ? "text/javascript" : file.endsWith(".md") ? "text/markdown" : "text/plain");

const variable = (value: string | string[] | undefined) => decodeURIComponent(Array.isArray(value) ? value.join(",") : (value ?? ""));

export function registerResources(server: McpServer, workspace: Workspace): void {
  server.registerResource("guide", GUIDE_URI, { title: "Ratchet task guide", description: "How to write, test, debug and ship Ratchet tasks: the manual the tools follow.", mimeType: "text/markdown" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/markdown", text: TASK_GUIDE }],
  }));

  server.registerResource(
    "task-file",
    new ResourceTemplate(TASK_FILE_TEMPLATE, {
      list: async () => {
        const { items } = await workspace.listTasks({ limit: LISTED_TASKS });
        const snapshots = await Promise.all(items.map((task) => workspace.getTask(task.name)));
        return {
          resources: snapshots.flatMap((task) =>
            Object.keys(task.files)
              .sort()
              .map((file) => ({ uri: taskFileUri(task.name, file), name: `${task.name}/${file}`, mimeType: mimeTypeOf(file) })),
          ),
        };
      },
    }),
    { title: "Task file", description: "One file of a task: main.js, metadata.json, input.schema.json, output.schema.json, tests/*.json." },
    async (uri, variables) => {
      const name = variable(variables.name);
      const file = variable(variables.file);
      const task = await workspace.getTask(name);
      const text = task.files[file];
      if (text === undefined) throw new Error(`${name} has no file ${file}; its files: ${Object.keys(task.files).sort().join(", ")}`);
      return { contents: [{ uri: uri.href, mimeType: mimeTypeOf(file), text }] };
    },
  );

  server.registerResource(
    "execution",
    new ResourceTemplate(EXECUTION_TEMPLATE, {
      list: async () => {
        const { items } = await workspace.listExecutions({ limit: LISTED_EXECUTIONS });
        return { resources: items.map((run) => ({ uri: executionUri(run.id), name: `${run.task} ${run.status} ${run.started_at}`, mimeType: "application/json" })) };
      },
    }),
    { title: "Execution", description: "One execution's whole record: input (secrets redacted), output or error, logs, HTTP trace, timings." },
    async (uri, variables) => {
      const record = await workspace.getExecution(variable(variables.id));
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(record, null, 2) }] };
    },
  );
}
