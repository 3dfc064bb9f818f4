CREATE TABLE `member_passes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`pass_id` integer NOT NULL,
	`status` text NOT NULL,
	`name` text NOT NULL,
	`credits_total` integer,
	`unlimited` integer NOT NULL,
	`event_types` text,
	`valid_days` integer NOT NULL,
	`amount_due` integer NOT NULL,
	`amount_paid` integer,
	`currency` text NOT NULL,
	`payment_provider` text,
	`payment_order_id` text,
	`payment_id` text,
	`payment_idempotency_key` text,
	`voucher_id` integer,
	`activated_at` integer,
	`expires_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pass_id`) REFERENCES `passes`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "member_passes_status_valid" CHECK("member_passes"."status" IN ('pending_payment', 'active', 'expired', 'cancelled')),
	CONSTRAINT "member_passes_active_has_payment" CHECK("member_passes"."status" = 'pending_payment' OR "member_passes"."status" = 'cancelled' OR "member_passes"."expires_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `member_passes_user_idx` ON `member_passes` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `member_passes_voucher_idx` ON `member_passes` (`voucher_id`) WHERE "member_passes"."voucher_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `member_passes_payment_id_unique` ON `member_passes` (`payment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `member_passes_payment_order_id_unique` ON `member_passes` (`payment_order_id`);--> statement-breakpoint
CREATE INDEX `member_passes_expiry_idx` ON `member_passes` (`expires_at`) WHERE "member_passes"."status" = 'active';--> statement-breakpoint
CREATE TABLE `pass_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_pass_id` integer NOT NULL,
	`change` integer NOT NULL,
	`reason` text NOT NULL,
	`booking_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`member_pass_id`) REFERENCES `member_passes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "pass_ledger_reason_valid" CHECK("pass_ledger"."reason" IN ('purchase', 'booking', 'booking_cancelled', 'expiry'))
);
--> statement-breakpoint
CREATE INDEX `pass_ledger_pass_idx` ON `pass_ledger` (`member_pass_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `pass_ledger_booking_reason_unique` ON `pass_ledger` (`booking_id`,`reason`) WHERE "pass_ledger"."booking_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `pass_ledger_pass_once_unique` ON `pass_ledger` (`member_pass_id`,`reason`) WHERE "pass_ledger"."reason" IN ('purchase', 'expiry');--> statement-breakpoint
CREATE TABLE `passes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`credits` integer,
	`unlimited` integer DEFAULT false NOT NULL,
	`price` integer NOT NULL,
	`currency` text DEFAULT 'INR' NOT NULL,
	`valid_days` integer NOT NULL,
	`event_types` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	CONSTRAINT "passes_credits_or_unlimited" CHECK(("passes"."unlimited" = 1) = ("passes"."credits" IS NULL)),
	CONSTRAINT "passes_credits_range" CHECK("passes"."credits" IS NULL OR "passes"."credits" BETWEEN 1 AND 1000),
	CONSTRAINT "passes_valid_days_range" CHECK("passes"."valid_days" BETWEEN 1 AND 730),
	CONSTRAINT "passes_price_non_negative" CHECK("passes"."price" >= 0)
);
--> statement-breakpoint
CREATE TABLE `vouchers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`percent_off` integer,
	`amount_off` integer,
	`currency` text,
	`max_uses` integer NOT NULL,
	`valid_until` integer,
	`event_id` integer,
	`event_type` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "vouchers_one_discount" CHECK(("vouchers"."percent_off" IS NULL) <> ("vouchers"."amount_off" IS NULL)),
	CONSTRAINT "vouchers_percent_range" CHECK("vouchers"."percent_off" IS NULL OR "vouchers"."percent_off" BETWEEN 1 AND 100),
	CONSTRAINT "vouchers_amount_positive" CHECK("vouchers"."amount_off" IS NULL OR "vouchers"."amount_off" > 0),
	CONSTRAINT "vouchers_max_uses_positive" CHECK("vouchers"."max_uses" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vouchers_code_unique` ON `vouchers` (`code`);--> statement-breakpoint
ALTER TABLE `bookings` ADD `paid_with` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `member_pass_id` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `voucher_id` integer;--> statement-breakpoint
CREATE INDEX `bookings_voucher_idx` ON `bookings` (`voucher_id`) WHERE "bookings"."voucher_id" IS NOT NULL;