-- Two changed functions whose old forms go.
-- A task may be given to a unit (phòng, ban): its head holds it. The
-- function that reads a holder now also gives the unit named, so its old
-- form goes (sql/functions/tasks.sql makes the new one).
DROP FUNCTION IF EXISTS task_holder_of(bigint, jsonb, text);

-- The sweep may mark without writing (tasks loaded from an older system):
-- a parameter more, so its one-parameter form goes.
DROP FUNCTION IF EXISTS notify_sweep(timestamptz);
