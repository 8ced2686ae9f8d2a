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
