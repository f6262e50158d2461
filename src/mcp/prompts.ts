import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

/** The guide's agent workflow ("Agent Development Workflows"), with this server's tool names. */
export function developTaskText(goal: string): string {
  return `Build a Ratchet task for this goal: ${goal}

Read the resource ratchet://guide first if you have not (sections "Task Structure", "Agent Development Workflows" and "Troubleshooting Guide"). Then:

1. Look for something to start from: ratchet_list_available_tasks {"q": "<keyword>"}; ratchet_get_task_info {"task_id_or_path": "<name>"} on a close match (ratchet_clone_task copies one).
2. Create the task: ratchet_create_task with name, description, code (the guide's function wrapper: (function(input, context) { ... }) or an async one when it fetches), input_schema, output_schema, tags and test_cases. If it answers with problems, fix every one and call it again: nothing was written.
3. Check inputs before running: ratchet_validate_task_input {"task_id_or_path": "<name>", "input": {...}}; each issue comes with its JSON Pointer.
4. Run it: ratchet_execute_task {"task_id_or_path": "<name>", "input": {...}, "trace": true}. Keep the execution_id.
5. Look at the run: ratchet_get_execution_status, ratchet_get_execution_logs {"execution_id": "...", "level": "debug"} and ratchet_get_execution_trace (every HTTP request with status and timing). ratchet_get_execution_profile shows where the time went.
6. When it fails: ratchet_analyze_execution_error {"execution_id": "...", "include_suggestions": true} names the error, the failing line of main.js and the likely fixes. Try a changed input with ratchet_replay_execution {"execution_id": "...", "input": {...}}.
7. Fix it: ratchet_update_task_code {"task_id": "<name>", "code": "..."} (checked before it is written; the previous version is kept: ratchet_backup_task, ratchet_restore_task_backup, ratchet_compare_task_versions).
8. Pin the behaviour down: ratchet_create_test_case {"task_id": "<name>", "test_case": {"name": "...", "input": {...}, "expected_output": {...}}} for the case you fixed and for edge cases (ratchet_generate_test_cases proposes some from the input schema), then ratchet_test_task {"task_id": "<name>"} until every test passes.
9. Quality gates: ratchet_lint_task_code {"task_id": "<name>"} and ratchet_validate_task_structure; for load, ratchet_benchmark_task and ratchet_fuzz_test_task.
10. Ship: ratchet_deploy_task {"task_id_or_path": "<name>"} to the Ratchet server, then ratchet_schedule_task {"task_id": "<name>", "cron": "0 * * * *", "input": {...}} if it should run on a schedule; ratchet_list_executions and ratchet_get_task_metrics watch it afterwards.

Report what you built, the tests that cover it, and where it is deployed and scheduled.`;
}

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    "develop_task",
    {
      title: "Develop a task",
      description: "Walks through the guide's workflow (create, validate, execute, debug, fix, test, lint, deploy, schedule) for a goal you give.",
      argsSchema: z.object({ goal: z.string().min(1).describe("What the task should do, e.g. 'fetch the current weather for a city from Open-Meteo'") }),
    },
    ({ goal }) => ({ messages: [{ role: "user", content: { type: "text", text: developTaskText(goal) } }] }),
  );
}
