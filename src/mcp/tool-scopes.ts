import type { Scope } from "../platform/access/principal.ts";
import type { ToolDefinition } from "./tool.ts";

/** Tools that run a task's code (its tests included), whatever their readOnlyHint says about changing things. */
const RUN_TASK_CODE = new Set([
  "ratchet_execute_task",
  "ratchet_execute_task_batch",
  "ratchet_replay_execution",
  "ratchet_benchmark_task",
  "ratchet_fuzz_test_task",
  "ratchet_test_task",
  "ratchet_run_single_test",
]);

/**
 * The API scope a tool needs, as the REST routes ask it: running task code needs `execute`; other
 * tools that change nothing need `read`; tools that change tasks or schedules need `deploy`.
 * A deployed task's own tool (`task_<name>`) runs it: `execute`.
 */
export function toolScope(tool: Pick<ToolDefinition, "name" | "annotations">): Exclude<Scope, "admin"> {
  if (RUN_TASK_CODE.has(tool.name)) return "execute";
  return tool.annotations.readOnlyHint ? "read" : "deploy";
}
