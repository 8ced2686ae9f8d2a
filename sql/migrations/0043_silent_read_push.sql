-- A notification marked read on one phone is cleared on the person's other
-- phones by a silent push (no alert, no sound): a message of its own that
-- names what was read. The phone that marked it gets none.
ALTER TABLE push_messages ADD COLUMN silent boolean NOT NULL DEFAULT false;
-- notification_read takes the session that marks it (sql/functions/notifications.sql)
DROP FUNCTION IF EXISTS notification_read(bigint, bigint);
