-- A problem raised by SQL may carry its detail in Vietnamese too
-- (problem_raise's third argument, in sql/functions/problems.sql): the
-- two-argument version gives way to it.
DROP FUNCTION IF EXISTS problem_raise(text, text);
