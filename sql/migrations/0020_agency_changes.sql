-- Agencies close, are renamed and merge on dates (since 1 July 2025 the
-- district level is gone and several departments merged). A closed agency
-- keeps its row (valid_to, its last day) and names its successor; documents
-- keep pointing at the agency as it was; a closed agency receives nothing
-- new (sql/functions/agencies.sql).
ALTER TABLE agencies ADD COLUMN successor_id bigint REFERENCES agencies(id);
GRANT SELECT ON agencies TO qlvb_app;
