CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`rrule` text NOT NULL,
	`timezone` text NOT NULL,
	`starts_at` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`location` text,
	`latitude` real,
	`longitude` real,
	`location_status` text DEFAULT 'none' NOT NULL,
	`capacity` integer,
	`price` integer DEFAULT 0 NOT NULL,
	`currency` text DEFAULT 'INR' NOT NULL,
	`facilitator_id` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`generated_until` integer NOT NULL,
	`cancelled_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`facilitator_id`) REFERENCES `facilitators`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "series_status_valid" CHECK("series"."status" IN ('active', 'cancelled')),
	CONSTRAINT "series_title_length" CHECK(length("series"."title") BETWEEN 1 AND 200),
	CONSTRAINT "series_duration_positive" CHECK("series"."duration_minutes" > 0),
	CONSTRAINT "series_capacity_positive" CHECK("series"."capacity" IS NULL OR "series"."capacity" > 0),
	CONSTRAINT "series_price_non_negative" CHECK("series"."price" >= 0)
);
--> statement-breakpoint
CREATE INDEX `series_facilitator_idx` ON `series` (`facilitator_id`);--> statement-breakpoint
CREATE INDEX `series_status_generated_idx` ON `series` (`status`,`generated_until`);--> statement-breakpoint
ALTER TABLE `events` ADD `series_id` integer REFERENCES series(id);--> statement-breakpoint
CREATE UNIQUE INDEX `events_series_starts_unique` ON `events` (`series_id`,`starts_at`);