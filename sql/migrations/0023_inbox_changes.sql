-- The inbox changes feed (GET /api/v1/inbox/changes): every change to what
-- an inbox shows of an item (its box, read state, reason, deadline, and the
-- status, number, subject, urgency and deadline of its document) and every
-- item that leaves an inbox is logged for its user as it happens, and
-- stamped at the commit with the user's inbox version, which the commit
-- bumps under the user's row lock: so versions follow commit order, and a
-- phone that synced up to version V misses nothing committed after it.
-- Rows older than the retention go (a token older than that answers 410
-- sync-token-expired and the phone reloads). The functions' bodies live in
-- sql/functions/inbox.sql; these first versions exist for the triggers.
CREATE TABLE inbox_changes (
    user_id     bigint NOT NULL,
    version     bigint,                        -- NULL until its transaction commits
    item_id     bigint NOT NULL,
    document_id bigint NOT NULL,
    removed     text,                          -- why the item left the inbox; NULL for a change
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at          timestamptz NOT NULL DEFAULT qlvb_now()
);
CREATE INDEX inbox_changes_user_version ON inbox_changes (user_id, version);
CREATE INDEX inbox_changes_user_at ON inbox_changes (user_id, at);
GRANT SELECT, INSERT, UPDATE, DELETE ON inbox_changes TO qlvb_app;

-- versions below this have been purged from a user's log
ALTER TABLE users ADD COLUMN inbox_sync_floor bigint NOT NULL DEFAULT 0;

CREATE FUNCTION inbox_items_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_items_logged AFTER INSERT OR DELETE ON inbox_items
    FOR EACH ROW EXECUTE FUNCTION inbox_items_logged();
-- a transaction that only takes items out of inboxes stamps them too
CREATE CONSTRAINT TRIGGER inbox_items_versions_delete AFTER DELETE ON inbox_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inbox_versions_bump();
