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

-- A register (sổ đăng ký) for a period, in Decree 30's ten columns, for a
-- clerk or a leader of the agency: incoming (arrival date; incoming number;
-- issuing agency; number and notation; document date; type and subject;
-- receiving unit or person; date routed; receiver's signature; notes) or
-- outgoing (number and notation; date; type and subject; signer;
-- recipients; unit keeping the file copy; copies; date handed over;
-- receiver's signature; notes). Recalled, replaced and duplicate lines stay,
-- marked in the notes.
CREATE OR REPLACE FUNCTION register_lines(p_user bigint, p_direction text, p_from date, p_to date)
    RETURNS TABLE (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE v_agency bigint := coalesce(acting_agency(p_user, ARRAY['clerk']),
                                    (SELECT m.agency_id FROM memberships m WHERE m.user_id = p_user
                                        AND is_leader(p_user, m.agency_id) LIMIT 1));
BEGIN
    IF v_agency IS NULL THEN
        PERFORM problem_raise('forbidden', 'a register is read by a clerk or a leader of the agency');
    END IF;
    IF p_direction = 'in' THEN
        RETURN QUERY
        SELECT to_char(d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'), d.book_number::text,
               d.issuer_name, d.number_notation, to_char(d.doc_date, 'DD/MM/YYYY'),
               t.name || ': ' || d.subject,
               (SELECT string_agg(coalesce(un.name, u.full_name), '; ' ORDER BY a.id)
                  FROM assignments a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id
                 WHERE a.document_id = d.id AND a.role = 'main' AND a.active),
               (SELECT to_char(min(h.at) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY')
                  FROM document_history h WHERE h.document_id = d.id AND h.action = 'directed'),
               '',
               concat_ws('; ', CASE WHEN d.recall_status = 'recalled' THEN 'Đã thu hồi' END)
          FROM documents d JOIN document_types t ON t.code = d.type_code
         WHERE d.agency_id = v_agency AND d.direction = 'in' AND d.book_id IS NOT NULL
           AND (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN p_from AND p_to
         ORDER BY d.book_year, d.book_number;
    ELSE
        RETURN QUERY
        SELECT d.number_notation, to_char(d.doc_date, 'DD/MM/YYYY'), t.name || ': ' || d.subject, d.signer_name,
               (SELECT string_agg(coalesce(ra.name, r.external_name), '; ' ORDER BY r.id)
                  FROM document_recipients r LEFT JOIN agencies ra ON ra.id = r.agency_id WHERE r.document_id = d.id),
               (SELECT un.name FROM units un WHERE un.id = d.unit_id),
               (SELECT count(*) FROM document_recipients r WHERE r.document_id = d.id)::text,
               to_char(d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'),
               '',
               concat_ws('; ', CASE WHEN d.status = 'recalled' THEN 'Đã thu hồi' END,
                         CASE WHEN d.replaced_by_id IS NOT NULL THEN 'Đã được thay thế' END,
                         CASE WHEN d.notation_duplicate THEN 'Trùng số, ký hiệu' END)
          FROM documents d JOIN document_types t ON t.code = d.type_code
         WHERE d.agency_id = v_agency AND d.direction = 'out' AND d.book_id IS NOT NULL
           AND d.doc_date BETWEEN p_from AND p_to
         ORDER BY d.book_year, d.book_number;
    END IF;
END $$;
