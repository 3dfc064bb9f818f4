CREATE TABLE `bookings` (
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
	`amount_paid` integer,
	`currency` text DEFAULT 'INR' NOT NULL,
	`hold_expires_at` integer,
	`refund_id` text,
	`refunded_at` integer,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "bookings_status_valid" CHECK("bookings"."status" IN ('confirmed', 'waitlisted', 'pending_payment', 'cancelled')),
	CONSTRAINT "bookings_cancelled_has_time" CHECK(("bookings"."status" = 'cancelled') = ("bookings"."cancelled_at" IS NOT NULL)),
	CONSTRAINT "bookings_paid_has_payment" CHECK("bookings"."is_paid" = 0 OR ("bookings"."payment_id" IS NOT NULL AND "bookings"."amount_paid" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_one_active_per_user_event` ON `bookings` (`user_id`,`event_id`) WHERE "bookings"."status" IN ('confirmed', 'waitlisted', 'pending_payment');--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_payment_id_unique` ON `bookings` (`payment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_payment_order_id_unique` ON `bookings` (`payment_order_id`);--> statement-breakpoint
CREATE INDEX `bookings_event_status_idx` ON `bookings` (`event_id`,`status`,`booked_at`);--> statement-breakpoint
CREATE INDEX `bookings_user_idx` ON `bookings` (`user_id`,`booked_at`);--> statement-breakpoint
CREATE INDEX `bookings_hold_expiry_idx` ON `bookings` (`hold_expires_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`location` text,
	`latitude` real,
	`longitude` real,
	`location_status` text DEFAULT 'none' NOT NULL,
	`capacity` integer,
	`booked_count` integer DEFAULT 0 NOT NULL,
	`price` integer DEFAULT 0 NOT NULL,
	`currency` text DEFAULT 'INR' NOT NULL,
	`facilitator_id` integer NOT NULL,
	`cancelled_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`facilitator_id`) REFERENCES `facilitators`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "events_status_valid" CHECK("events"."status" IN ('scheduled', 'completed', 'cancelled')),
	CONSTRAINT "events_location_status_valid" CHECK("events"."location_status" IN ('resolved', 'pending', 'online', 'none')),
	CONSTRAINT "events_title_length" CHECK(length("events"."title") BETWEEN 1 AND 200),
	CONSTRAINT "events_type_length" CHECK(length("events"."type") BETWEEN 1 AND 50),
	CONSTRAINT "events_time_order" CHECK("events"."ends_at" > "events"."starts_at"),
	CONSTRAINT "events_latitude_range" CHECK("events"."latitude" IS NULL OR "events"."latitude" BETWEEN -90 AND 90),
	CONSTRAINT "events_longitude_range" CHECK("events"."longitude" IS NULL OR "events"."longitude" BETWEEN -180 AND 180),
	CONSTRAINT "events_coordinates_paired" CHECK(("events"."latitude" IS NULL) = ("events"."longitude" IS NULL)),
	CONSTRAINT "events_capacity_positive" CHECK("events"."capacity" IS NULL OR "events"."capacity" > 0),
	CONSTRAINT "events_booked_within_capacity" CHECK("events"."booked_count" >= 0 AND ("events"."capacity" IS NULL OR "events"."booked_count" <= "events"."capacity")),
	CONSTRAINT "events_price_non_negative" CHECK("events"."price" >= 0),
	CONSTRAINT "events_currency_code" CHECK(length("events"."currency") = 3 AND "events"."currency" = upper("events"."currency"))
);
--> statement-breakpoint
CREATE INDEX `events_starts_at_idx` ON `events` (`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_facilitator_idx` ON `events` (`facilitator_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `events_lat_lng_idx` ON `events` (`latitude`,`longitude`);--> statement-breakpoint
CREATE TABLE `geocode_cache` (
	`query` text PRIMARY KEY NOT NULL,
	`latitude` real,
	`longitude` real,
	`formatted_address` text,
	`result` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`user_id` integer NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`booking_id` integer,
	`response_status` integer,
	`response_body` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `key`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`queued_at` integer,
	`delivered_at` integer,
	`dead_at` integer,
	CONSTRAINT "outbox_status_valid" CHECK("outbox"."status" IN ('pending', 'queued', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE INDEX `outbox_status_created_idx` ON `outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `payment_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`booking_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`provider`, `event_id`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action
);
