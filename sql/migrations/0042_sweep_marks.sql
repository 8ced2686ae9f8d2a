-- The sweep of deadline thresholds at any number of tasks: each task
-- remembers the latest threshold it was warned of (working days before its
-- deadline's day) and the last day it was warned of being overdue, so that
-- a sweep reads only the tasks with something new to say; a granted
-- extension starts them over.
ALTER TABLE tasks ADD COLUMN warned_rank integer, ADD COLUMN warned_overdue_on date;
CREATE INDEX tasks_overdue_unwarned ON tasks (deadline)
    WHERE active AND finished_at IS NULL AND deadline IS NOT NULL AND warned_overdue_on IS NULL;
CREATE INDEX tasks_overdue_warned ON tasks (warned_overdue_on)
    WHERE active AND finished_at IS NULL AND warned_overdue_on IS NOT NULL;
