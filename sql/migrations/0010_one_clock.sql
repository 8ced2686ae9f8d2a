-- One clock: qlvb_now() is the time every rule reads (deadlines, locks,
-- sessions, leases, retention). It is now() unless the database is in test
-- mode (ALTER DATABASE ... SET qlvb.test_mode = on, which only the test
-- stack does), where the one row of test_clock moves it: a test moves a day
-- in a second, and every worker and daemon sees it from its next request. The C side reads the
-- same offset (fcgi/clock.c). sql/functions/clock.sql owns the function;
-- this first version exists because the column defaults below need it.
CREATE TABLE test_clock (
    id        boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_us bigint NOT NULL DEFAULT 0
);
INSERT INTO test_clock DEFAULT VALUES;
GRANT SELECT ON test_clock TO qlvb_app;

CREATE FUNCTION qlvb_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT now() $$;

-- every column that defaulted to now() takes the one clock
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT table_name, column_name FROM information_schema.columns
              WHERE table_schema = 'public' AND column_default = 'now()' AND table_name <> 'schema_migrations'
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT qlvb_now()', c.table_name, c.column_name);
    END LOOP;
END $$;
