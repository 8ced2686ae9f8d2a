-- The one clock (migration 0010): now(), moved by test_clock's offset only
-- when the database is in test mode. Stable: one value per statement, the
-- transaction's start plus the offset.
CREATE OR REPLACE FUNCTION qlvb_clock_offset_us() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_setting('qlvb.test_mode', true) = 'on'
                THEN coalesce((SELECT offset_us FROM test_clock), 0) ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION qlvb_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT now() + make_interval(secs => qlvb_clock_offset_us() / 1000000.0)
$$;
