ALTER TABLE `events` ADD `geocode_attempted_at` integer;--> statement-breakpoint
CREATE INDEX `events_location_status_idx` ON `events` (`location_status`,`geocode_attempted_at`);