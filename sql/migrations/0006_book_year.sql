-- A book's year is the year in Asia/Ho_Chi_Minh at the moment of
-- registration: numbers restart at 00:00 on 1 January there (17:00 UTC on
-- 31 December). The moment is a parameter so that the rule can be tested.
DROP FUNCTION book_take_number(bigint);
CREATE FUNCTION book_take_number(p_book bigint, p_at timestamptz DEFAULT now(),
                                 OUT year integer, OUT number integer)
    LANGUAGE sql AS $$
    INSERT INTO book_counters AS c (book_id, year, last_number)
    VALUES (p_book, extract(year FROM p_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, 1)
    ON CONFLICT (book_id, year) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.year, c.last_number
$$;
