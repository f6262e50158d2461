CREATE TABLE `bundled_registrations` (
	`task_name` text NOT NULL,
	`hash` text NOT NULL,
	`registered_at` text NOT NULL,
	PRIMARY KEY(`task_name`, `hash`)
);
