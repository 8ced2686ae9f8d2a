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

-- A moment as the API writes it: in Asia/Ho_Chi_Minh, always with three
-- fractional digits and the +07:00 offset (2026-12-02T08:30:00.000+07:00).
CREATE OR REPLACE FUNCTION api_time(p timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- at the fixed offset it names: Asia/Ho_Chi_Minh was not +07:00 in every
    -- year (1970 was +08:00), and the instant must stay the instant
    SELECT to_char(p AT TIME ZONE INTERVAL '+07:00', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || '+07:00'
$$;

-- The local date a deadline falls on: a deadline that ends at 24:00 is the
-- next day's first instant, and belongs to the day before.
CREATE OR REPLACE FUNCTION api_deadline_date(p timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- to the millisecond the API shows it
    SELECT ((date_trunc('milliseconds', p) - interval '1 microsecond') AT TIME ZONE INTERVAL '+07:00')::date
$$;
