-- Full-text index of events' title and description for GET /events?q= (hand-written: drizzle-kit does not model
-- virtual tables or triggers). External content: the words are indexed, the text stays in `events`. The triggers
-- keep it in step inside the same statement as every write, so it commits or fails with it.
CREATE VIRTUAL TABLE `events_fts` USING fts5(title, description, content='events', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `events_fts_after_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO events_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `events_fts_after_delete` AFTER DELETE ON `events` BEGIN
  INSERT INTO events_fts(events_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `events_fts_after_update` AFTER UPDATE OF title, description ON `events` BEGIN
  INSERT INTO events_fts(events_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
  INSERT INTO events_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
-- The events that exist already.
INSERT INTO events_fts(events_fts) VALUES ('rebuild');
