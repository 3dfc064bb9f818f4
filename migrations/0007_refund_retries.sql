ALTER TABLE `bookings` ADD `refund_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `refund_retry_at` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `refund_failed_at` integer;--> statement-breakpoint
CREATE INDEX `bookings_refund_due_idx` ON `bookings` (`refund_retry_at`,`id`) WHERE "bookings"."status" = 'cancelled' AND "bookings"."payment_id" IS NOT NULL AND "bookings"."refund_id" IS NULL AND "bookings"."refund_failed_at" IS NULL;