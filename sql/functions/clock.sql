-- The one clock (migration 0010): now(), moved by test_clock's offset only
-- when the database is in test mode. Stable: one value per statement, the
-- transaction's start plus the offset.
-- PL/pgSQL: its plan is made once per connection, and outside test mode it
-- reads no table (an SQL function with a subquery is planned at every call).
CREATE OR REPLACE FUNCTION qlvb_clock_offset_us() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF current_setting('qlvb.test_mode', true) IS DISTINCT FROM 'on' THEN
        RETURN 0;
    END IF;
    RETURN coalesce((SELECT offset_us FROM test_clock), 0);
END $$;

CREATE OR REPLACE FUNCTION qlvb_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT now() + make_interval(secs => qlvb_clock_offset_us() / 1000000.0)
$$;
