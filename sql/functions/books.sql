-- Registration books and their yearly numbers.

-- Books for every agency that has none, and for agencies added later.
CREATE OR REPLACE FUNCTION books_for_agency(p_agency bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO books (agency_id, direction, name)
    SELECT p_agency, d, CASE d WHEN 'in' THEN 'Sổ đăng ký văn bản đến' ELSE 'Sổ đăng ký văn bản đi' END
      FROM unnest(ARRAY['in', 'out']) d
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION agencies_books_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM books_for_agency(NEW.id);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION book_of(p_agency bigint, p_direction text) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT id FROM books WHERE agency_id = p_agency AND direction = p_direction
$$;

-- The next number of a book, taken inside the caller's transaction: the row
-- lock orders concurrent registrations, and a rollback gives the number
-- back. The year is the year in Asia/Ho_Chi_Minh at the moment of
-- registration: numbers restart at 00:00 on 1 January there.
CREATE OR REPLACE FUNCTION book_take_number(p_book bigint, p_at timestamptz DEFAULT qlvb_now(),
                                 OUT year integer, OUT number integer)
    LANGUAGE sql AS $$
    INSERT INTO book_counters AS c (book_id, year, last_number)
    VALUES (p_book, extract(year FROM p_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, 1)
    ON CONFLICT (book_id, year) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.year, c.last_number
$$;

-- A book number as Decree 30 writes it: below 10 with a leading zero (01 to
-- 09), then as it is (10, 123, 1000).
CREATE OR REPLACE FUNCTION book_number_text(p_number integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT CASE WHEN p_number BETWEEN 0 AND 9 THEN '0' || p_number ELSE p_number::text END
$$;

-- How notations are compared: case-insensitively after NFC, reading Ð
-- (U+00D0) as Đ. The unique index of outgoing notations is built on it.
CREATE OR REPLACE FUNCTION notation_key(p_notation text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(normalize(replace(p_notation, 'Ð', 'Đ'), NFC))
$$;
