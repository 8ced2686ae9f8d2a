-- A problem raised by SQL may name the request's field at fault
-- (problem_raise's fourth argument, in sql/functions/problems.sql): the
-- three-argument version gives way to it.
DROP FUNCTION IF EXISTS problem_raise(text, text, text);
