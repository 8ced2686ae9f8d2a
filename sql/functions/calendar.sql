-- The working-day calendar (migration 0034): which days are worked, and the
-- deadlines counted in working days (Civil Code 2015 art. 147-148). Days are
-- local days of Asia/Ho_Chi_Minh.

-- A day is worked when a row of a working kind says so (a Saturday worked
-- in exchange), rests when a row of a day-off kind says so, and otherwise
-- when it is Monday to Friday.
CREATE OR REPLACE FUNCTION is_working_day(p_day date) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT k.working FROM calendar_days c JOIN day_kinds k ON k.code = c.kind WHERE c.day = p_day),
                    extract(isodow FROM p_day) < 6)
$$;

-- The Nth working day after p_day (p_day itself is never counted, whatever
-- the hour of the event); n = 0 gives p_day back. At most ten years ahead.
CREATE OR REPLACE FUNCTION working_day_after(p_day date, p_n integer) RETURNS date
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE v_day date := p_day; v_left integer := p_n; v_off date[];
BEGIN
    IF p_n IS NULL OR p_n < 0 OR p_n > 2500 THEN
        RAISE EXCEPTION 'working_day_after: % working days is out of range', p_n;
    END IF;
    -- the rows that matter, read once: days off on weekdays, days worked on weekends
    SELECT array_agg(c.day) INTO v_off FROM calendar_days c JOIN day_kinds k ON k.code = c.kind
     WHERE c.day > p_day AND c.day <= p_day + (p_n * 2 + 60)
       AND k.working = (extract(isodow FROM c.day) >= 6);
    WHILE v_left > 0 LOOP
        v_day := v_day + 1;
        IF (extract(isodow FROM v_day) < 6) <> (v_day = ANY (coalesce(v_off, '{}'))) THEN
            v_left := v_left - 1;
        END IF;
    END LOOP;
    RETURN v_day;
END $$;

-- The end of the day p_day in Asia/Ho_Chi_Minh: 24:00, the next day's first
-- instant.
CREATE OR REPLACE FUNCTION day_end(p_day date) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((p_day + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
$$;

-- The local day of a moment.
CREATE OR REPLACE FUNCTION local_day(p timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (p AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;

-- A deadline of N working days from an event at p_from: 24:00 of the Nth
-- working day after the event's day.
CREATE OR REPLACE FUNCTION working_deadline(p_from timestamptz, p_n integer) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT day_end(working_day_after(local_day(p_from), p_n))
$$;

-- A deadline in calendar days, or a date given, that ends on a day off ends
-- at 24:00 of the next working day (Civil Code art. 148). A moment inside a
-- working day stays as it is.
CREATE OR REPLACE FUNCTION deadline_on_working_day(p timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_working_day(api_deadline_date(p)) THEN p
                ELSE day_end(working_day_after(api_deadline_date(p), 1)) END
$$;

-- Working days from the day of p_from to the day of p_to: how many working
-- days lie after p_from's day up to and including p_to's day (0 when the
-- same day or before). A reminder "1 working day before" is due when this
-- is 1 from today to the deadline's day.
CREATE OR REPLACE FUNCTION working_days_between(p_from date, p_to date) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer FROM generate_series(p_from + 1, p_to, interval '1 day') g(d)
     WHERE is_working_day(g.d::date)
$$;

-- The calendar of a year as the API gives it.
CREATE OR REPLACE FUNCTION calendar_year_json(p_year integer) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'year', p_year,
        'version', (SELECT version FROM calendar_state),
        -- some day is still provisional, or the year holds no day at all (unknown)
        'provisional', EXISTS (SELECT 1 FROM calendar_days WHERE provisional
                                  AND day BETWEEN make_date(p_year, 1, 1) AND make_date(p_year, 12, 31))
                       OR p_year > (SELECT max(extract(year FROM day)) FROM calendar_days),
        'working_days', (SELECT count(*) FROM generate_series(make_date(p_year, 1, 1), make_date(p_year, 12, 31),
                                                              interval '1 day') g(d) WHERE is_working_day(g.d::date)),
        'days', coalesce((SELECT jsonb_agg(calendar_day_json(c) ORDER BY c.day) FROM calendar_days c
                           WHERE c.day BETWEEN make_date(p_year, 1, 1) AND make_date(p_year, 12, 31)), '[]'))
$$;

CREATE OR REPLACE FUNCTION calendar_day_json(c calendar_days) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('date', c.day, 'kind', c.kind, 'kind_name', k.name, 'working', k.working,
                              'name', c.name, 'provisional', c.provisional, 'source', c.source,
                              'updated_at', api_time(c.updated_at))
      FROM day_kinds k WHERE k.code = c.kind
$$;

-- The calendar is edited by a holder of the calendar role (in any agency:
-- it is the province's).
CREATE OR REPLACE FUNCTION calendar_editor(p_user bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF acting_agency(p_user, ARRAY['calendar']) IS NULL THEN
        PERFORM problem_raise('forbidden', 'the calendar is kept by a holder of the calendar role',
                              'lịch ngày nghỉ, ngày làm việc do người có vai trò quản lý lịch cập nhật');
    END IF;
    -- one change at a time, each a new version
    UPDATE calendar_state SET version = version + 1;
END $$;

-- Enters or changes one day (f: kind, name, provisional, source): a day off
-- on a weekend, or a worked weekday, says nothing and is refused.
CREATE OR REPLACE FUNCTION calendar_day_put(p_user bigint, p_day date, f jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE k day_kinds; c calendar_days;
BEGIN
    PERFORM calendar_editor(p_user);
    SELECT * INTO k FROM day_kinds WHERE code = f->>'kind';
    IF k.code IS NULL THEN
        PERFORM problem_raise('invalid-value', format('%s is no kind of day (%s)', f->>'kind',
                                  (SELECT string_agg(code, ', ' ORDER BY code) FROM day_kinds)),
                              format('không có loại ngày %s (%s)', f->>'kind',
                                  (SELECT string_agg(code, ', ' ORDER BY code) FROM day_kinds)), '/kind');
    END IF;
    IF k.working AND extract(isodow FROM p_day) < 6 THEN
        PERFORM problem_raise('invalid-value', format('%s is a weekday: it is worked already', p_day),
                              format('%s là ngày thường: vốn đã là ngày làm việc', to_char(p_day, 'DD/MM/YYYY')), '/kind');
    END IF;
    INSERT INTO calendar_days (day, kind, name, provisional, source, updated_by, updated_at)
    VALUES (p_day, k.code, f->>'name', coalesce((f->>'provisional')::boolean, false), f->>'source', p_user, qlvb_now())
    ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, provisional = EXCLUDED.provisional,
                                    source = EXCLUDED.source, updated_by = EXCLUDED.updated_by,
                                    updated_at = EXCLUDED.updated_at
    RETURNING * INTO c;
    RETURN calendar_day_json(c);
END $$;

-- Removes one day's row: the day is worked again if a weekday, rests if a
-- weekend day.
CREATE OR REPLACE FUNCTION calendar_day_delete(p_user bigint, p_day date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM calendar_editor(p_user);
    DELETE FROM calendar_days WHERE day = p_day;
    IF NOT FOUND THEN
        PERFORM problem_raise('calendar-day-not-found', format('the calendar has no row for %s', p_day),
                              format('lịch không có dòng nào cho ngày %s', to_char(p_day, 'DD/MM/YYYY')));
    END IF;
END $$;

-- A deadline of N working days from a moment, as the API gives it: the
-- instant (24:00 of the Nth working day, the next day's first instant) and
-- its local date; NULL past the years kept.
CREATE OR REPLACE FUNCTION calendar_deadline_json(p_from timestamptz, p_n integer) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN extract(year FROM x.d) <= 2100 THEN
           jsonb_build_object('from', api_time(p_from), 'working_days', p_n,
                              'deadline', api_time(day_end(x.d)), 'deadline_date', x.d,
                              'provisional', EXISTS (SELECT 1 FROM calendar_days c WHERE c.provisional
                                                        AND c.day > local_day(p_from) AND c.day <= x.d)
                                             -- or it ends in a year after those the calendar holds (unknown)
                                             OR extract(year FROM x.d) > (SELECT max(extract(year FROM day)) FROM calendar_days))
           END
      FROM (SELECT working_day_after(local_day(p_from), p_n) AS d) x
$$;
