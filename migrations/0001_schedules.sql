CREATE TABLE `schedule_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule_id` text NOT NULL,
	`slot` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`next_attempt_at` text,
	`first_execution_id` text,
	`last_execution_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedule_runs_slot` ON `schedule_runs` (`schedule_id`,`slot`);--> statement-breakpoint
CREATE INDEX `schedule_runs_retry` ON `schedule_runs` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `schedule_runs_schedule` ON `schedule_runs` (`schedule_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`task_name` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text NOT NULL,
	`input` text NOT NULL,
	`enabled` integer NOT NULL,
	`paused_reason` text,
	`max_attempts` integer NOT NULL,
	`backoff_seconds` integer NOT NULL,
	`catch_up` text NOT NULL,
	`next_run_at` text NOT NULL,
	`last_run_at` text,
	`last_status` text,
	`last_execution_id` text,
	`run_count` integer DEFAULT 0 NOT NULL,
	`failure_count` integer DEFAULT 0 NOT NULL,
	`source` text NOT NULL,
	`source_key` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedules_due` ON `schedules` (`enabled`,`next_run_at`);--> statement-breakpoint
CREATE INDEX `schedules_task` ON `schedules` (`task_name`);--> statement-breakpoint
CREATE UNIQUE INDEX `schedules_source` ON `schedules` (`task_name`,`source`,`source_key`);--> statement-breakpoint
ALTER TABLE `executions` ADD `retry_of` text;