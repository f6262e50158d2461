-- The totals now live in execution_stats, written by the batch that inserts the records (one row per
-- task, status and duration bucket in the batch) instead of by a trigger per row.
DROP TRIGGER IF EXISTS `executions_count`;
--> statement-breakpoint
-- WITHOUT ROWID (Drizzle cannot declare it): a new (task, status, bucket) writes one row, not a row and
-- its primary-key index entry. The table 0005 made is empty.
DROP TABLE `execution_stats`;
--> statement-breakpoint
CREATE TABLE `execution_stats` (
	`task_name` text NOT NULL,
	`status` text NOT NULL,
	`le` text NOT NULL,
	`count` integer NOT NULL,
	`duration_ms_sum` real NOT NULL,
	PRIMARY KEY(`task_name`, `status`, `le`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The history so far, counted into execution_stats (each execution in the smallest bound at or above its duration).
INSERT INTO `execution_stats` (`task_name`, `status`, `le`, `count`, `duration_ms_sum`)
  SELECT `task_name`, `status`,
    CASE
      WHEN `duration_ms` <= 5 THEN '5' WHEN `duration_ms` <= 10 THEN '10' WHEN `duration_ms` <= 25 THEN '25'
      WHEN `duration_ms` <= 50 THEN '50' WHEN `duration_ms` <= 100 THEN '100' WHEN `duration_ms` <= 250 THEN '250'
      WHEN `duration_ms` <= 500 THEN '500' WHEN `duration_ms` <= 1000 THEN '1000' WHEN `duration_ms` <= 2500 THEN '2500'
      WHEN `duration_ms` <= 5000 THEN '5000' WHEN `duration_ms` <= 10000 THEN '10000' WHEN `duration_ms` <= 30000 THEN '30000'
      ELSE '+Inf'
    END AS `bucket`,
    count(*), coalesce(sum(`duration_ms`), 0)
  FROM `executions` GROUP BY `task_name`, `status`, `bucket`;
--> statement-breakpoint
-- WITHOUT ROWID: the row lives in the primary key's b-tree, so an insert writes one row there instead
-- of a table row plus a primary-key index entry (D1 bills both). Drizzle cannot declare it; the
-- columns are those of src/store/schema.ts.
CREATE TABLE `executions_new` (
	`id` text PRIMARY KEY NOT NULL,
	`task_name` text NOT NULL,
	`task_version` text NOT NULL,
	`version_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`attempt` integer DEFAULT 1 NOT NULL,
	`schedule_id` text,
	`retry_of` text,
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `executions_new` (`id`, `task_name`, `task_version`, `version_id`, `trigger`, `status`, `attempt`, `schedule_id`, `retry_of`, `error_type`, `input`, `output`, `error`, `logs`, `http`, `timings`, `payload_key`, `started_at`, `duration_ms`)
  SELECT `id`, `task_name`, `task_version`, `version_id`, `trigger`, `status`, `attempt`, `schedule_id`, `retry_of`, `error_type`, `input`, `output`, `error`, `logs`, `http`, `timings`, `payload_key`, `started_at`, `duration_ms` FROM `executions`;
--> statement-breakpoint
DROP TABLE `executions`;
--> statement-breakpoint
ALTER TABLE `executions_new` RENAME TO `executions`;
--> statement-breakpoint
CREATE INDEX `executions_task` ON `executions` (`task_name`,`id`);
