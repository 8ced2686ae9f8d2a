-- An inbox item carries its document's version tag (what If-Match takes):
-- every new version of a document, not only a change of what the page
-- shows, touches its holders' inboxes and the changes feed, so that no
-- phone keeps a stale tag.
DROP TRIGGER documents_shown_changed ON documents;
CREATE TRIGGER documents_shown_changed AFTER UPDATE ON documents FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.number_notation IS DISTINCT FROM NEW.number_notation
          OR OLD.subject IS DISTINCT FROM NEW.subject OR OLD.urgency IS DISTINCT FROM NEW.urgency
          OR OLD.deadline IS DISTINCT FROM NEW.deadline OR OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION documents_shown_touch();
