CREATE TABLE `execution_stats` (
	`task_name` text NOT NULL,
	`status` text NOT NULL,
	`le` text NOT NULL,
	`count` integer NOT NULL,
	`duration_ms_sum` real NOT NULL,
	PRIMARY KEY(`task_name`, `status`, `le`)
);
--> statement-breakpoint
DROP TABLE `execution_duration_buckets`;--> statement-breakpoint
DROP TABLE `execution_totals`;--> statement-breakpoint
DROP INDEX `executions_started`;--> statement-breakpoint
DROP INDEX `executions_task_started`;--> statement-breakpoint
DROP INDEX `executions_status_started`;--> statement-breakpoint
DROP INDEX `executions_trigger_started`;--> statement-breakpoint
CREATE INDEX `executions_task` ON `executions` (`task_name`,`id`);