-- The problems SQL functions raise, by slug: migrate fills this table from
-- the one registry (sql/problems.def) on every run. qv_fail, which raised
-- codes that were HTTP statuses, gives way to problem_raise
-- (sql/functions/problems.sql).
CREATE TABLE problem_types (
    slug     text PRIMARY KEY,
    sqlstate text NOT NULL UNIQUE CHECK (sqlstate ~ '^QP[0-9A-Z]{3}$'),
    status   integer NOT NULL CHECK (status BETWEEN 400 AND 599),
    title_vi text NOT NULL,
    title_en text NOT NULL
);
GRANT SELECT ON problem_types TO qlvb_app;

DROP FUNCTION qv_fail(text, text);
