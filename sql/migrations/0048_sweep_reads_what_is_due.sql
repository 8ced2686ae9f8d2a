-- The sweep reads only the tasks with something new to say, at any number
-- of tasks: before their deadline, by the deadline and the
-- latest threshold each was warned of; once overdue, as before, but
-- without the tasks whose completion was reported (they are never warned
-- of being overdue, and every sweep read them again).
CREATE INDEX tasks_warn_before ON tasks (deadline, warned_rank)
    WHERE active AND finished_at IS NULL AND reported_at IS NULL AND deadline IS NOT NULL;
DROP INDEX tasks_overdue_unwarned;
CREATE INDEX tasks_overdue_unwarned ON tasks (deadline)
    WHERE active AND finished_at IS NULL AND reported_at IS NULL AND deadline IS NOT NULL AND warned_overdue_on IS NULL;
DROP INDEX tasks_overdue_warned;
CREATE INDEX tasks_overdue_warned ON tasks (warned_overdue_on)
    WHERE active AND finished_at IS NULL AND reported_at IS NULL AND warned_overdue_on IS NOT NULL;
-- A task remembers the latest threshold it was warned of by its number of
-- working days: two thresholds of one day would be one, so say so.
ALTER TABLE notify_thresholds ADD CONSTRAINT notify_thresholds_one_a_day UNIQUE (working_days);

-- The pack takes a batch of people at a time (however large a burst, a
-- call ends within the statement timeout): their pending notifications by
-- person; its old one-parameter form goes.
CREATE INDEX notifications_pending_by_person ON notifications (user_id, id) WHERE push_state = 'pending';
DROP FUNCTION IF EXISTS notify_pack(timestamptz);
-- The sweep, too, takes at most a batch of tasks a call.
DROP FUNCTION IF EXISTS notify_sweep(timestamptz, boolean);
