-- D1 enforces foreign keys in every transaction: defer them while bookings is rebuilt (drizzle-kit writes
-- PRAGMA foreign_keys=OFF, which D1 ignores). The new columns start empty, so they are not copied.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_bookings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`status` text NOT NULL,
	`booked_at` integer NOT NULL,
	`cancelled_at` integer,
	`cancel_reason` text,
	`promoted_at` integer,
	`is_paid` integer DEFAULT false NOT NULL,
	`payment_provider` text,
	`payment_order_id` text,
	`payment_id` text,
	`amount_due` integer,
	`amount_paid` integer,
	`currency` text DEFAULT 'INR' NOT NULL,
	`hold_expires_at` integer,
	`offer_expires_at` integer,
	`transferred_from` integer,
	`refund_id` text,
	`refunded_at` integer,
	`refund_attempts` integer DEFAULT 0 NOT NULL,
	`refund_retry_at` integer,
	`refund_failed_at` integer,
	`policy_cutoff_hours` integer DEFAULT 0 NOT NULL,
	`policy_late_refund_percent` integer DEFAULT 0 NOT NULL,
	`late_cancel` integer DEFAULT false NOT NULL,
	`refund_amount` integer,
	`check_in_code` text,
	`attendance` text,
	`attended_at` integer,
	`checked_in_by` integer,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "bookings_status_valid" CHECK("__new_bookings"."status" IN ('confirmed', 'waitlisted', 'pending_payment', 'offered', 'cancelled')),
	CONSTRAINT "bookings_cancelled_has_time" CHECK(("__new_bookings"."status" = 'cancelled') = ("__new_bookings"."cancelled_at" IS NOT NULL)),
	CONSTRAINT "bookings_paid_has_payment" CHECK("__new_bookings"."is_paid" = 0 OR ("__new_bookings"."payment_id" IS NOT NULL AND "__new_bookings"."amount_paid" IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `__new_bookings`("id", "event_id", "user_id", "status", "booked_at", "cancelled_at", "cancel_reason", "promoted_at", "is_paid", "payment_provider", "payment_order_id", "payment_id", "amount_due", "amount_paid", "currency", "hold_expires_at", "refund_id", "refunded_at", "refund_attempts", "refund_retry_at", "refund_failed_at", "policy_cutoff_hours", "policy_late_refund_percent", "late_cancel", "refund_amount", "check_in_code", "attendance", "attended_at", "checked_in_by", "updated_at") SELECT "id", "event_id", "user_id", "status", "booked_at", "cancelled_at", "cancel_reason", "promoted_at", "is_paid", "payment_provider", "payment_order_id", "payment_id", "amount_due", "amount_paid", "currency", "hold_expires_at", "refund_id", "refunded_at", "refund_attempts", "refund_retry_at", "refund_failed_at", "policy_cutoff_hours", "policy_late_refund_percent", "late_cancel", "refund_amount", "check_in_code", "attendance", "attended_at", "checked_in_by", "updated_at" FROM `bookings`;--> statement-breakpoint
DROP TABLE `bookings`;--> statement-breakpoint
ALTER TABLE `__new_bookings` RENAME TO `bookings`;--> statement-breakpoint
PRAGMA defer_foreign_keys = off;--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_one_active_per_user_event` ON `bookings` (`user_id`,`event_id`) WHERE "bookings"."status" IN ('confirmed', 'waitlisted', 'pending_payment', 'offered');--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_payment_id_unique` ON `bookings` (`payment_id`) WHERE "bookings"."cancel_reason" IS NOT 'transferred';--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_payment_order_id_unique` ON `bookings` (`payment_order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_check_in_code_unique` ON `bookings` (`check_in_code`);--> statement-breakpoint
CREATE INDEX `bookings_event_status_idx` ON `bookings` (`event_id`,`status`,`booked_at`);--> statement-breakpoint
CREATE INDEX `bookings_user_idx` ON `bookings` (`user_id`,`booked_at`);--> statement-breakpoint
CREATE INDEX `bookings_hold_expiry_idx` ON `bookings` (`hold_expires_at`);--> statement-breakpoint
CREATE INDEX `bookings_waitlisted_idx` ON `bookings` (`event_id`) WHERE "bookings"."status" = 'waitlisted';--> statement-breakpoint
CREATE INDEX `bookings_offer_expiry_idx` ON `bookings` (`offer_expires_at`) WHERE "bookings"."status" = 'offered';--> statement-breakpoint
CREATE INDEX `bookings_refund_due_idx` ON `bookings` (`refund_retry_at`,`id`) WHERE "bookings"."status" = 'cancelled' AND "bookings"."payment_id" IS NOT NULL AND "bookings"."refund_id" IS NULL AND "bookings"."refund_failed_at" IS NULL AND coalesce("bookings"."refund_amount", 1) > 0;