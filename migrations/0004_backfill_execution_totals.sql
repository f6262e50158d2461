-- Totals for executions recorded before execution_totals existed; from here on the record writer keeps them.
INSERT INTO `execution_totals` (`task_name`, `status`, `count`, `duration_ms_sum`) SELECT `task_name`, `status`, count(*), coalesce(sum(`duration_ms`), 0) FROM `executions` GROUP BY `task_name`, `status`;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 5, count(*) FROM `executions` WHERE `duration_ms` <= 5;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 10, count(*) FROM `executions` WHERE `duration_ms` <= 10;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 25, count(*) FROM `executions` WHERE `duration_ms` <= 25;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 50, count(*) FROM `executions` WHERE `duration_ms` <= 50;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 100, count(*) FROM `executions` WHERE `duration_ms` <= 100;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 250, count(*) FROM `executions` WHERE `duration_ms` <= 250;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 500, count(*) FROM `executions` WHERE `duration_ms` <= 500;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 1000, count(*) FROM `executions` WHERE `duration_ms` <= 1000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 2500, count(*) FROM `executions` WHERE `duration_ms` <= 2500;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 5000, count(*) FROM `executions` WHERE `duration_ms` <= 5000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 10000, count(*) FROM `executions` WHERE `duration_ms` <= 10000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 30000, count(*) FROM `executions` WHERE `duration_ms` <= 30000;
