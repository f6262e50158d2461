CREATE TABLE `execution_duration_buckets` (
	`le` real PRIMARY KEY NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `execution_totals` (
	`task_name` text NOT NULL,
	`status` text NOT NULL,
	`count` integer NOT NULL,
	`duration_ms_sum` real NOT NULL,
	PRIMARY KEY(`task_name`, `status`)
);
