import { WorkspaceError, type ExecutionRecord, type Workspace } from "../workspace/workspace.ts";
import { analyzeFailure, type TaskSource } from "./analyze.ts";

/**
 * main.js and metadata.json as they were when the execution ran: the version it records, or
 * the current files (valid or not) when that version is no longer kept (said in a note).
 */
async function sourceAt(workspace: Workspace, record: ExecutionRecord, notes: string[]): Promise<TaskSource> {
  const read = async (at?: { version: string }) => {
    const files = await workspace.readFiles(record.task, at);
    return { code: files["main.js"], metadataText: files["metadata.json"] };
  };
  const missing = (error: unknown) => error instanceof WorkspaceError && error.code === "not_found";
  try {
    return await read({ version: record.version });
  } catch (error) {
    if (!missing(error)) throw error;
  }
  try {
    const files = await read();
    const version = versionOf(files.metadataText);
    notes.push(
      version === record.version
        ? `main.js is the task's current content (version ${version}, as recorded); if it was edited since without a new version, line numbers may have moved.`
        : `Version ${record.version} is no longer kept: main.js is the current content (version ${version ?? "unknown"}), so the line shown may differ from the one that failed.`,
    );
    return files;
  } catch (error) {
    if (!missing(error)) throw error;
    return {};
  }
}

function versionOf(metadataText: string | undefined): string | undefined {
  try {
    const version = (JSON.parse(metadataText ?? "") as { version?: unknown }).version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a recorded execution failed, from its record and its task's code at that version: the one
 * diagnosis the MCP tool ratchet_analyze_execution_error and the dashboard's execution page give.
 */
export async function diagnoseExecution(workspace: Workspace, executionId: string, options: { includeSuggestions: boolean }) {
  const record = await workspace.getExecution(executionId);
  if (!record.error) {
    throw new WorkspaceError("bad_request", `execution ${executionId} completed: there is no error to analyse`, {
      hint: "List failed ones with ratchet_list_executions {\"status\": \"failed\"}.",
    });
  }
  const notes: string[] = [];
  const source = await sourceAt(workspace, record, notes);
  const analysis = analyzeFailure(record, source, options);
  return {
    record,
    execution_id: record.id,
    task: record.task,
    version: record.version,
    ...analysis,
    recent_logs: record.logs.slice(-5).map((l) => ({ level: l.level, message: l.message.slice(0, 500) })),
    notes: [...notes, ...analysis.notes],
  };
}
