CREATE TABLE `executions` (
	`id` text PRIMARY KEY NOT NULL,
	`task_name` text NOT NULL,
	`task_version` text NOT NULL,
	`version_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`attempt` integer DEFAULT 1 NOT NULL,
	`schedule_id` text,
	`error_type` text,
	`input` text,
	`output` text,
	`error` text,
	`logs` text,
	`http` text,
	`timings` text,
	`payload_key` text,
	`started_at` text NOT NULL,
	`duration_ms` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `executions_started` ON `executions` (`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `executions_task_started` ON `executions` (`task_name`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `executions_status_started` ON `executions` (`status`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `executions_trigger_started` ON `executions` (`trigger`,`started_at`,`id`);--> statement-breakpoint
CREATE TABLE `task_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`task_name` text NOT NULL,
	`version` text NOT NULL,
	`hash` text NOT NULL,
	`r2_key` text NOT NULL,
	`label` text NOT NULL,
	`description` text,
	`tags` text NOT NULL,
	`metadata` text NOT NULL,
	`input_schema` text NOT NULL,
	`output_schema` text NOT NULL,
	`test_count` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_versions_task_version` ON `task_versions` (`task_name`,`version`);--> statement-breakpoint
CREATE INDEX `task_versions_task_created` ON `task_versions` (`task_name`,`created_at`);--> statement-breakpoint
CREATE INDEX `task_versions_hash` ON `task_versions` (`hash`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`name` text PRIMARY KEY NOT NULL,
	`current_version_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
