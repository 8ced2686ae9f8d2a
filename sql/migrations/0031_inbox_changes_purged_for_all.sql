-- The changes log is purged for every user, not only for those who sync
-- (inbox_changes_since takes a batch of the oldest rows each time, one
-- caller at a time): it finds them by age.
CREATE INDEX inbox_changes_at ON inbox_changes (at) WHERE version IS NOT NULL;
