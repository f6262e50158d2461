-- execution_totals and execution_duration_buckets count the executions table: a trigger keeps them as rows are
-- inserted, in the same statement, whichever code inserts them. First, the rows already there.
INSERT INTO `execution_totals` (`task_name`, `status`, `count`, `duration_ms_sum`) SELECT `task_name`, `status`, count(*), coalesce(sum(`duration_ms`), 0) FROM `executions` GROUP BY `task_name`, `status`;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 5, count(*) FROM `executions` WHERE `duration_ms` <= 5;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 10, count(*) FROM `executions` WHERE `duration_ms` > 5 AND `duration_ms` <= 10;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 25, count(*) FROM `executions` WHERE `duration_ms` > 10 AND `duration_ms` <= 25;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 50, count(*) FROM `executions` WHERE `duration_ms` > 25 AND `duration_ms` <= 50;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 100, count(*) FROM `executions` WHERE `duration_ms` > 50 AND `duration_ms` <= 100;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 250, count(*) FROM `executions` WHERE `duration_ms` > 100 AND `duration_ms` <= 250;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 500, count(*) FROM `executions` WHERE `duration_ms` > 250 AND `duration_ms` <= 500;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 1000, count(*) FROM `executions` WHERE `duration_ms` > 500 AND `duration_ms` <= 1000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 2500, count(*) FROM `executions` WHERE `duration_ms` > 1000 AND `duration_ms` <= 2500;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 5000, count(*) FROM `executions` WHERE `duration_ms` > 2500 AND `duration_ms` <= 5000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 10000, count(*) FROM `executions` WHERE `duration_ms` > 5000 AND `duration_ms` <= 10000;
--> statement-breakpoint
INSERT INTO `execution_duration_buckets` (`le`, `count`) SELECT 30000, count(*) FROM `executions` WHERE `duration_ms` > 10000 AND `duration_ms` <= 30000;
--> statement-breakpoint
-- Each execution counts in one bucket (the smallest bound it is under); /metrics adds them up.
CREATE TRIGGER `executions_count` AFTER INSERT ON `executions` BEGIN
  INSERT INTO `execution_totals` (`task_name`, `status`, `count`, `duration_ms_sum`) VALUES (NEW.`task_name`, NEW.`status`, 1, NEW.`duration_ms`)
    ON CONFLICT (`task_name`, `status`) DO UPDATE SET `count` = `count` + 1, `duration_ms_sum` = `duration_ms_sum` + excluded.`duration_ms_sum`;
  UPDATE `execution_duration_buckets` SET `count` = `count` + 1
    WHERE `le` = (SELECT min(`le`) FROM `execution_duration_buckets` WHERE `le` >= NEW.`duration_ms`);
END;
