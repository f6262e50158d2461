import { z } from "zod";
import { checkCron } from "../../engine/cron.ts";
import { WorkspaceError } from "../../workspace/workspace.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";

const scheduleShape = z.looseObject({ id: z.string(), task: z.string(), cron: z.string() }).describe("The schedule as the Ratchet API answers it (timezone, input, retry, next run...)");

const deployTask = defineTool({
  name: "ratchet_deploy_task",
  title: "Deploy a task",
  description:
    "Deploys a task folder to the Ratchet server at the configured URL (validated locally first, as `ratchet deploy`); on the Worker's /mcp the task is deployed already and this answers its current version. " +
    "Versions are immutable: the answer says whether a new version was created, the content was current already (unchanged) or an earlier version with that content is current again (switched). " +
    "When no server answers at the URL, the error says so: start one with `ratchet serve`. " +
    'Example: {"task_id_or_path": "weather"}',
  toolset: "ship",
  input: z.object({
    task_id_or_path: z.string().min(1).describe("A task folder path or a task name under the tasks folder"),
    name: z.string().min(1).optional().describe("The deployed name (default: the folder name)"),
  }),
  output: z.object({
    name: z.string(),
    version: z.string(),
    hash: z.string(),
    status: z.enum(["created", "unchanged", "switched"]),
    target: z.string().describe("Where it was deployed"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ task_id_or_path, name }, { workspace }) {
    const result = await workspace.deploy(task_id_or_path, name ? { name } : {});
    return { ...result };
  },
});

const scheduleTask = defineTool({
  name: "ratchet_schedule_task",
  title: "Schedule a deployed task",
  description:
    "Creates a cron schedule for a deployed task on the Ratchet server: it runs with `input` at each time the expression gives, in `timezone` (IANA name, default UTC), " +
    "retried up to max_attempts per slot. The expression has 5 fields (minute hour day-of-month month day-of-week), or a macro such as @hourly; it is checked before anything is sent. " +
    "Returns the schedule (with its id, for ratchet_unschedule_task) and its next three run times. Deploy the task first (ratchet_deploy_task). " +
    'Example: {"task_id": "weather", "cron": "0 7 * * *", "input": {"city": "Paris"}, "timezone": "Europe/Paris"}',
  toolset: "ship",
  input: z.object({
    task_id: z.string().min(1).describe("The deployed task's name"),
    cron: z.string().min(1),
    input: z.unknown().optional().describe("The input of every scheduled run (default {})"),
    timezone: z.string().optional(),
    max_attempts: z.number().int().min(1).max(10).optional().describe("Attempts per slot, the first included"),
    backoff_seconds: z.number().int().min(0).optional().describe("Wait before a retry"),
  }),
  output: z.object({ schedule: scheduleShape, next_runs: z.array(z.string()), note: z.string().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler({ task_id, cron, input, timezone, max_attempts, backoff_seconds }, { workspace }) {
    const checked = checkCron(cron, timezone ?? "UTC");
    if (!checked.ok) {
      throw new WorkspaceError("bad_request", `${checked.field}: ${checked.message}`, { hint: 'A cron expression has 5 fields, e.g. "*/15 * * * *" (every 15 minutes) or "0 7 * * 1-5" (7:00 on weekdays).' });
    }
    const retry = max_attempts !== undefined || backoff_seconds !== undefined ? { ...(max_attempts !== undefined ? { max_attempts } : {}), ...(backoff_seconds !== undefined ? { backoff_seconds } : {}) } : undefined;
    const schedule = await workspace.createSchedule({ task: task_id, cron, input: input ?? {}, ...(timezone ? { timezone } : {}), ...(retry ? { retry } : {}) });
    return {
      schedule,
      next_runs: checked.schedule.nextRuns(3, new Date()).map((d) => d.toISOString()),
      ...(checked.schedule.note ? { note: checked.schedule.note } : {}),
    };
  },
});

const listSchedules = defineTool({
  name: "ratchet_list_schedules",
  title: "List schedules",
  description:
    "The cron schedules on the Ratchet server, all or only one task's (task_id). Each with its id, task, cron, timezone, input and retry settings. " +
    'Example: {"task_id": "weather"}',
  toolset: "ship",
  input: z.object({ task_id: z.string().min(1).optional() }),
  output: z.object({ schedules: z.array(scheduleShape) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ task_id }, { workspace }) {
    return { schedules: await workspace.listSchedules(task_id) };
  },
});

const unscheduleTask = defineTool({
  name: "ratchet_unschedule_task",
  title: "Delete a schedule",
  description:
    "Deletes a cron schedule by its id (from ratchet_schedule_task or ratchet_list_schedules): the task stays deployed, it just no longer runs on that schedule. " +
    'Example: {"schedule_id": "sch_0190c0de"}',
  toolset: "ship",
  input: z.object({ schedule_id: z.string().min(1) }),
  output: z.object({ deleted: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async handler({ schedule_id }, { workspace }) {
    await workspace.deleteSchedule(schedule_id);
    return { deleted: schedule_id };
  },
});

export const shipTools: ToolDefinition[] = [deployTask, scheduleTask, listSchedules, unscheduleTask] as ToolDefinition[];
