-- A person's notification feed changes when a notification is written or
-- marked read, not when the push daemon packs or sends it.
DROP TRIGGER notifications_stamp ON notifications;
CREATE CONSTRAINT TRIGGER notifications_stamp AFTER INSERT OR UPDATE OF read_at ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notifications_stamp();
