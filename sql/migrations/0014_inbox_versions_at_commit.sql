-- Inbox versions are bumped once per transaction, at its commit, for every
-- user it touched, in user id order: no inbox change locks a users row while
-- the transaction still works, so two agencies issuing to each other cannot
-- deadlock on them. A change to what an inbox page shows of a document
-- (status, number, subject, urgency, deadline) touches every holder's inbox.
-- The functions' bodies live in sql/functions/inbox.sql; these first
-- versions exist for the triggers.
CREATE FUNCTION inbox_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END $$;
CREATE FUNCTION documents_shown_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER inbox_items_versions AFTER INSERT OR UPDATE ON inbox_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inbox_versions_bump();
CREATE TRIGGER documents_shown_changed AFTER UPDATE ON documents FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.number_notation IS DISTINCT FROM NEW.number_notation
          OR OLD.subject IS DISTINCT FROM NEW.subject OR OLD.urgency IS DISTINCT FROM NEW.urgency
          OR OLD.deadline IS DISTINCT FROM NEW.deadline)
    EXECUTE FUNCTION documents_shown_touch();
CREATE CONSTRAINT TRIGGER documents_versions AFTER UPDATE ON documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inbox_versions_bump();

-- the next deadline of a user's open items, for the inbox ETag
CREATE INDEX inbox_items_open_deadline ON inbox_items (user_id, deadline)
 WHERE box <> 'done' AND deadline IS NOT NULL;
