-- The latest threshold a task was warned of: 99 for none yet (above every
-- threshold: they count at most 30 days), so that "warned of a later one
-- than this" is a plain range of the sweep's index, not an OR with IS NULL.
UPDATE tasks SET warned_rank = 99 WHERE warned_rank IS NULL;
ALTER TABLE tasks ALTER COLUMN warned_rank SET DEFAULT 99, ALTER COLUMN warned_rank SET NOT NULL;

-- The deadlines of the task items in the done box (an assigner's after a
-- decision, a holder's after a report that waits for confirmation): the
-- task's status shown there turns overdue when one passes, and the inbox's
-- ETag must change then (INBOX_STATES) without reading every such item.
CREATE INDEX inbox_items_done_task_deadline ON inbox_items (user_id, deadline)
    WHERE task_id IS NOT NULL AND box = 'done' AND deadline IS NOT NULL;
