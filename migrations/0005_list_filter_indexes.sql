CREATE INDEX `events_type_key_idx` ON `events` (lower("type"),`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_status_starts_idx` ON `events` (`status`,`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_type_status_idx` ON `events` (lower("type"),`status`,`starts_at`,`id`);