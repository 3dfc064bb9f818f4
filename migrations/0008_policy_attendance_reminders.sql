CREATE TABLE `booking_reminders` (
	`booking_id` integer NOT NULL,
	`offset_hours` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`booking_id`, `offset_hours`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
DROP INDEX `bookings_refund_due_idx`;--> statement-breakpoint
ALTER TABLE `bookings` ADD `policy_cutoff_hours` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `policy_late_refund_percent` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `late_cancel` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `refund_amount` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `check_in_code` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `attendance` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `attended_at` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `checked_in_by` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_check_in_code_unique` ON `bookings` (`check_in_code`);--> statement-breakpoint
CREATE INDEX `bookings_refund_due_idx` ON `bookings` (`refund_retry_at`,`id`) WHERE "bookings"."status" = 'cancelled' AND "bookings"."payment_id" IS NOT NULL AND "bookings"."refund_id" IS NULL AND "bookings"."refund_failed_at" IS NULL AND coalesce("bookings"."refund_amount", 1) > 0;--> statement-breakpoint
ALTER TABLE `events` ADD `cancellation_cutoff_hours` integer DEFAULT 12 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `late_cancel_refund_percent` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `min_attendees` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `decision_hours_before` integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `go_decision` text;--> statement-breakpoint
CREATE INDEX `events_ends_at_idx` ON `events` (`ends_at`);--> statement-breakpoint
CREATE INDEX `events_decision_due_idx` ON `events` (`starts_at`) WHERE "events"."go_decision" = 'pending';--> statement-breakpoint
ALTER TABLE `series` ADD `cancellation_cutoff_hours` integer DEFAULT 12 NOT NULL;--> statement-breakpoint
ALTER TABLE `series` ADD `late_cancel_refund_percent` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Bookings made before check-in existed get their code here; new rows get one from the statement that inserts them.
UPDATE `bookings` SET `check_in_code` = lower(hex(randomblob(16))) WHERE `check_in_code` IS NULL;