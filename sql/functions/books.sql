-- Registration books and their yearly numbers.

-- Books for every agency that has none, and for agencies added later: the
-- incoming series and the outgoing book that covers every type.
CREATE OR REPLACE FUNCTION books_for_agency(p_agency bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO books (agency_id, direction, name, covers_rest)
    SELECT p_agency, d, CASE d WHEN 'in' THEN 'Sổ đăng ký văn bản đến' ELSE 'Sổ đăng ký văn bản đi' END, true
      FROM unnest(ARRAY['in', 'out']) d
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION agencies_books_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM books_for_agency(NEW.id);
    RETURN NEW;
END $$;

-- The agency's incoming series: one, paper and electronic together.
CREATE OR REPLACE FUNCTION book_in(p_agency bigint) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT id FROM books WHERE agency_id = p_agency AND direction = 'in' AND closed_at IS NULL
$$;

-- The open outgoing book that covers a document of this type, kind
-- (normative or not) and issuing body (NULL: the agency itself): the book
-- that lists the type, else the one that covers the rest; NULL when none.
CREATE OR REPLACE FUNCTION book_covering(p_agency bigint, p_type text, p_normative boolean, p_body bigint)
    RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT bt.book_id FROM book_types bt
          WHERE bt.agency_id = p_agency AND bt.normative = p_normative
            AND bt.body_key = coalesce(p_body, 0) AND bt.type_code = p_type),
        (SELECT b.id FROM books b
          WHERE b.agency_id = p_agency AND b.direction = 'out' AND b.normative = p_normative
            AND b.body_key = coalesce(p_body, 0) AND b.covers_rest AND b.closed_at IS NULL))
$$;

-- The book a document is numbered in; the clerk never picks one. Where no
-- open book covers it, the series the law gives is opened: for a normative
-- type its own series, for an advisory body (or an agency whose books list
-- types only) a book of the rest.
CREATE OR REPLACE FUNCTION book_for(p_agency bigint, p_type text, p_normative boolean, p_body bigint)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_book bigint; v_type document_types; v_body units;
BEGIN
    -- the agency's books do not change until this transaction ends
    -- (book_create and book_change take this lock alone)
    PERFORM pg_advisory_xact_lock_shared(hashtext('qlvb.books'), p_agency::int);
    v_book := book_covering(p_agency, p_type, p_normative, p_body);
    IF v_book IS NOT NULL THEN
        RETURN v_book;
    END IF;
    -- two first documents at once open one book
    PERFORM pg_advisory_xact_lock(hashtext('qlvb.books.open'), p_agency::int);
    v_book := book_covering(p_agency, p_type, p_normative, p_body);
    IF v_book IS NOT NULL THEN
        RETURN v_book;
    END IF;
    SELECT * INTO v_type FROM document_types WHERE code = p_type;
    SELECT * INTO v_body FROM units WHERE id = p_body;
    INSERT INTO books (agency_id, direction, normative, body_id, covers_rest, name)
    VALUES (p_agency, 'out', p_normative, p_body, NOT p_normative,
            CASE WHEN p_normative THEN 'Sổ văn bản quy phạm pháp luật: ' || v_type.name
                 ELSE 'Sổ đăng ký văn bản đi' END || coalesce(' (' || v_body.name || ')', ''))
    RETURNING id INTO v_book;
    IF p_normative THEN
        INSERT INTO book_types (book_id, agency_id, normative, body_key, type_code)
        VALUES (v_book, p_agency, true, coalesce(p_body, 0), p_type);
    END IF;
    RETURN v_book;
END $$;

-- A book as the API shows it, with this year's last number.
CREATE OR REPLACE FUNCTION book_json(p_book bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', b.id, 'direction', b.direction, 'name', b.name, 'normative', b.normative,
        'issuing_body', (SELECT json_build_object('id', u.id, 'name', u.name, 'abbr', u.abbr)
                           FROM units u WHERE u.id = b.body_id),
        'type_codes', (SELECT coalesce(json_agg(bt.type_code ORDER BY bt.type_code), '[]')
                         FROM book_types bt WHERE bt.book_id = b.id),
        'covers_rest', b.covers_rest AND b.closed_at IS NULL,
        'closed_at', api_time(b.closed_at),
        'year', extract(year FROM qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int,
        'last_number', coalesce((SELECT c.last_number FROM book_counters c WHERE c.book_id = b.id
                                    AND c.year = extract(year FROM qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int), 0))
      FROM books b WHERE b.id = p_book
$$;

-- The books of the user's agency (any member reads them): incoming first,
-- then the open outgoing ones, then the closed.
CREATE OR REPLACE FUNCTION books_list(p_user bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('items', coalesce(json_agg(book_json(b.id)
               ORDER BY b.direction, b.closed_at IS NOT NULL, b.body_key, b.normative, b.id), '[]'))
      FROM books b
     WHERE b.agency_id = (SELECT agency_id FROM memberships WHERE user_id = p_user
                           ORDER BY is_primary DESC, id LIMIT 1)
$$;

-- What a change of books may not do: leave a type of abbreviation-less
-- notation (công văn, thư công: AGENCY-UNIT) in two series of one body, or
-- move a document issued this year out of the book that numbered it (the
-- new book would give its number again): coverage changes from 1 January.
CREATE OR REPLACE FUNCTION books_check(p_agency bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    SELECT t1.name AS t1, t2.name AS t2 INTO r
      FROM (SELECT DISTINCT b.body_key, nullif(b.body_key, 0) AS body FROM books b
             WHERE b.agency_id = p_agency AND b.direction = 'out') x
      JOIN document_types t1 ON t1.abbr IS NULL
      JOIN document_types t2 ON t2.abbr IS NULL AND t2.code > t1.code
     WHERE book_covering(p_agency, t1.code, false, x.body) IS DISTINCT FROM book_covering(p_agency, t2.code, false, x.body)
     LIMIT 1;
    IF FOUND THEN
        PERFORM problem_raise('book-overlap', format(
            '%s and %s are numbered alike (number/AGENCY-UNIT), so one book covers both', r.t1, r.t2),
            format('%s và %s được đánh số giống nhau (số/CQ-ĐV), nên một sổ phải gồm cả hai', r.t1, r.t2));
    END IF;
    SELECT d.type_code, d.normative, d.number_notation, b.name INTO r
      FROM documents d JOIN books b ON b.id = d.book_id
     WHERE d.book_id IN (SELECT x.id FROM books x WHERE x.agency_id = p_agency AND x.direction = 'out')
       AND d.book_year = extract(year FROM qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int
       AND d.book_id IS DISTINCT FROM book_covering(p_agency, d.type_code, d.normative, d.issuing_body_id)
     LIMIT 1;
    IF FOUND THEN
        PERFORM problem_raise('book-in-use', format(
            'type %s%s was numbered in "%s" this year (%s among others); a type changes book from 1 January, '
            'so that no number is given twice', r.type_code, CASE WHEN r.normative THEN ' (normative)' ELSE '' END,
            r.name, r.number_notation),
            format('loại %s%s năm nay đã được đánh số trong sổ "%s" (có %s); một loại chỉ đổi sổ từ ngày 1 tháng 1 '
            'để không số nào bị cấp hai lần', r.type_code,
            CASE WHEN r.normative THEN ' (quy phạm pháp luật)' ELSE '' END, r.name, r.number_notation));
    END IF;
END $$;

-- The agency an administrator manages books for, locked for the change.
CREATE OR REPLACE FUNCTION books_admin_agency(p_user bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_agency bigint := acting_agency(p_user, ARRAY['admin']);
BEGIN
    IF v_agency IS NULL THEN
        PERFORM problem_raise('forbidden', 'books are set by an administrator of the agency',
                              'sổ văn bản do quản trị viên của cơ quan thiết lập');
    END IF;
    -- one change of the agency's books at a time, and none while a
    -- document of the agency is being numbered (book_for)
    PERFORM pg_advisory_xact_lock(hashtext('qlvb.books'), v_agency::int);
    RETURN v_agency;
END $$;

-- Lists the types a book covers, refusing one that another open book of
-- the same body and kind lists.
CREATE OR REPLACE FUNCTION book_types_set(p_book bigint, p_types jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE b books; v_code text; v_other text;
BEGIN
    SELECT * INTO b FROM books WHERE id = p_book;
    DELETE FROM book_types WHERE book_id = p_book;
    FOR v_code IN SELECT DISTINCT t FROM jsonb_array_elements_text(coalesce(p_types, '[]')) t LOOP
        IF NOT EXISTS (SELECT 1 FROM document_types WHERE code = v_code) THEN
            PERFORM problem_raise('unknown-type-code', format('%s is no document type', v_code),
                                  format('không có loại văn bản %s', v_code), '/type_codes');
        END IF;
        IF b.normative AND NOT v_code = ANY ((SELECT normative_types FROM agencies WHERE id = b.agency_id)::text[]) THEN
            PERFORM problem_raise('invalid-value', format('your agency does not issue a %s as a legal normative document',
                                                          (SELECT name FROM document_types WHERE code = v_code)),
                                  format('cơ quan của bạn không ban hành %s là văn bản quy phạm pháp luật',
                                         (SELECT name FROM document_types WHERE code = v_code)), '/type_codes');
        END IF;
        SELECT o.name INTO v_other FROM book_types bt JOIN books o ON o.id = bt.book_id
         WHERE bt.agency_id = b.agency_id AND bt.normative = b.normative AND bt.body_key = b.body_key
           AND bt.type_code = v_code;
        IF v_other IS NOT NULL THEN
            PERFORM problem_raise('book-overlap', format('type %s is already covered by "%s"', v_code, v_other),
                                  format('loại %s đã thuộc sổ "%s"', v_code, v_other), '/type_codes');
        END IF;
        INSERT INTO book_types (book_id, agency_id, normative, body_key, type_code)
        VALUES (p_book, b.agency_id, b.normative, b.body_key, v_code)
        ON CONFLICT (book_id, type_code) DO NOTHING;
    END LOOP;
    IF b.normative AND (SELECT count(*) FROM book_types WHERE book_id = p_book) <> 1 THEN
        PERFORM problem_raise('invalid-value', 'a normative book covers exactly one type: one series per type',
                              'sổ văn bản quy phạm pháp luật gồm đúng một loại: mỗi loại một dãy số', '/type_codes');
    END IF;
END $$;

-- An administrator opens an outgoing book (f: name, normative,
-- issuing_body_id, type_codes, covers_rest).
CREATE OR REPLACE FUNCTION book_create(p_user bigint, f jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_agency bigint := books_admin_agency(p_user); v_book bigint; v_other text;
        v_normative boolean := coalesce((f->>'normative')::boolean, false);
        v_rest boolean := coalesce((f->>'covers_rest')::boolean, false);
        v_body bigint := (f->>'issuing_body_id')::bigint;
BEGIN
    IF v_body IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units WHERE id = v_body AND agency_id = v_agency AND advisory) THEN
        PERFORM problem_raise('invalid-value', 'issuing_body_id is an advisory body (a unit marked advisory) of your agency',
                              'issuing_body_id là một tổ chức tư vấn (đơn vị được đánh dấu tư vấn) của cơ quan bạn',
                              '/issuing_body_id');
    END IF;
    IF v_normative AND v_body IS NOT NULL THEN
        PERFORM problem_raise('invalid-value', 'an advisory body issues no legal normative documents',
                              'tổ chức tư vấn không ban hành văn bản quy phạm pháp luật', '/normative');
    END IF;
    IF v_normative AND v_rest THEN
        PERFORM problem_raise('invalid-value', 'a normative book covers one type, never the rest',
                              'sổ văn bản quy phạm pháp luật gồm một loại, không gồm các loại còn lại', '/covers_rest');
    END IF;
    IF NOT v_rest AND jsonb_array_length(coalesce(f->'type_codes', '[]')) = 0 THEN
        PERFORM problem_raise('invalid-value', 'a book covers listed types (type_codes) or the rest (covers_rest)',
                              'sổ gồm các loại được liệt kê (type_codes) hoặc các loại còn lại (covers_rest)',
                              '/type_codes');
    END IF;
    IF v_rest THEN
        SELECT name INTO v_other FROM books
         WHERE agency_id = v_agency AND direction = 'out' AND NOT normative AND body_key = coalesce(v_body, 0)
           AND covers_rest AND closed_at IS NULL;
        IF v_other IS NOT NULL THEN
            PERFORM problem_raise('book-overlap', format('"%s" already covers the rest; change or close it first', v_other),
                                  format('sổ "%s" đã gồm các loại còn lại; hãy sửa hoặc đóng sổ đó trước', v_other),
                                  '/covers_rest');
        END IF;
    END IF;
    INSERT INTO books (agency_id, direction, normative, body_id, covers_rest, name)
    VALUES (v_agency, 'out', v_normative, v_body, v_rest, f->>'name')
    RETURNING id INTO v_book;
    PERFORM book_types_set(v_book, f->'type_codes');
    PERFORM books_check(v_agency);
    RETURN v_book;
END $$;

-- An administrator renames a book, changes what it covers, or closes it
-- (f: name, type_codes, covers_rest, closed). The agency's incoming series
-- is renamed only.
CREATE OR REPLACE FUNCTION book_change(p_user bigint, p_book bigint, f jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_agency bigint := books_admin_agency(p_user); b books; v_other text;
BEGIN
    SELECT * INTO b FROM books WHERE id = p_book AND agency_id = v_agency FOR UPDATE;
    IF b.id IS NULL THEN
        PERFORM problem_raise('book-not-found', format('your agency has no book %s', p_book),
                              format('cơ quan của bạn không có sổ %s', p_book));
    END IF;
    IF b.closed_at IS NOT NULL AND (f - 'name') <> '{}' THEN
        PERFORM problem_raise('book-closed', 'a closed book stays closed; open a new one',
                              'sổ đã đóng thì không mở lại; hãy mở sổ mới');
    END IF;
    IF b.direction = 'in' AND (f - 'name') <> '{}' THEN
        PERFORM problem_raise('invalid-value', 'incoming documents have one series: the incoming book is renamed only',
                              'văn bản đến có một dãy số: sổ văn bản đến chỉ được đổi tên');
    END IF;
    IF f ? 'name' THEN
        UPDATE books SET name = f->>'name' WHERE id = p_book;
    END IF;
    IF f ? 'covers_rest' AND (f->>'covers_rest')::boolean IS DISTINCT FROM b.covers_rest THEN
        IF b.normative AND (f->>'covers_rest')::boolean THEN
            PERFORM problem_raise('invalid-value', 'a normative book covers one type, never the rest',
                              'sổ văn bản quy phạm pháp luật gồm một loại, không gồm các loại còn lại', '/covers_rest');
        END IF;
        SELECT name INTO v_other FROM books
         WHERE agency_id = v_agency AND direction = 'out' AND normative = b.normative AND body_key = b.body_key
           AND covers_rest AND closed_at IS NULL AND id <> p_book;
        IF (f->>'covers_rest')::boolean AND v_other IS NOT NULL THEN
            PERFORM problem_raise('book-overlap', format('"%s" already covers the rest; change or close it first', v_other),
                                  format('sổ "%s" đã gồm các loại còn lại; hãy sửa hoặc đóng sổ đó trước', v_other),
                                  '/covers_rest');
        END IF;
        UPDATE books SET covers_rest = (f->>'covers_rest')::boolean WHERE id = p_book;
    END IF;
    IF f ? 'type_codes' THEN
        PERFORM book_types_set(p_book, f->'type_codes');
    END IF;
    IF coalesce((f->>'closed')::boolean, false) THEN
        DELETE FROM book_types WHERE book_id = p_book;
        UPDATE books SET closed_at = qlvb_now(), covers_rest = false WHERE id = p_book;
    ELSIF f ? 'closed' AND b.closed_at IS NOT NULL THEN
        PERFORM problem_raise('book-closed', 'a closed book stays closed; open a new one',
                              'sổ đã đóng thì không mở lại; hãy mở sổ mới');
    END IF;
    IF NOT (SELECT covers_rest OR closed_at IS NOT NULL FROM books WHERE id = p_book)
       AND NOT EXISTS (SELECT 1 FROM book_types WHERE book_id = p_book) THEN
        PERFORM problem_raise('invalid-value', 'an open book covers listed types or the rest; close it instead',
                              'sổ đang mở phải gồm các loại được liệt kê hoặc các loại còn lại; nếu không, hãy đóng sổ',
                              '/type_codes');
    END IF;
    PERFORM books_check(v_agency);
END $$;

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

-- An incoming number_notation split as written: the leading digits are the
-- number, what follows the first / or - after them the notation (15 and
-- QĐ-UBND, 15 and 2025/QĐ-UBND, 80 and NQ/TW); with no leading digits the
-- number is NULL and the notation the whole.
CREATE OR REPLACE FUNCTION number_part(p_number_notation text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT substring(p_number_notation FROM '^([0-9]+)')
$$;

CREATE OR REPLACE FUNCTION notation_part(p_number_notation text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(substring(p_number_notation FROM '^[0-9]+[/-](.*)$'), p_number_notation)
$$;

-- How incoming numbers are compared: digits by their value (015 is 15),
-- anything else as notation_key() compares notations.
CREATE OR REPLACE FUNCTION number_key(p_number text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT CASE WHEN p_number ~ '^[0-9]+$' THEN coalesce(nullif(ltrim(p_number, '0'), ''), '0')
                ELSE notation_key(p_number) END
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
        PERFORM problem_raise('forbidden', 'a register is read by a clerk or a leader of the agency',
                              'sổ đăng ký do văn thư hoặc lãnh đạo của cơ quan xem');
    END IF;
    IF p_direction = 'in' THEN
        RETURN QUERY
        SELECT to_char(d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'), d.book_number::text,
               d.issuer_name, d.number_notation, to_char(d.doc_date, 'DD/MM/YYYY'),
               t.name || ': ' || d.subject,
               (SELECT string_agg(coalesce(un.name, u.full_name), '; ' ORDER BY a.id)
                  FROM tasks a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id
                 WHERE a.document_id = d.id AND a.role = 'main' AND a.active),
               (SELECT to_char(min(h.at) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY')
                  FROM document_history h WHERE h.document_id = d.id AND h.action = 'directed'),
               '',
               concat_ws('; ', CASE WHEN d.recall_status = 'recalled' THEN 'Đã thu hồi' END,
                         (SELECT format('Trùng văn bản đến số %s/%s', x.book_number, x.book_year)
                            FROM documents x WHERE x.id = d.duplicate_of))
          FROM documents d JOIN document_types t ON t.code = d.type_code
         WHERE d.book_id IN (SELECT b.id FROM books b WHERE b.agency_id = v_agency) AND d.direction = 'in'
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
         WHERE d.book_id IN (SELECT b.id FROM books b WHERE b.agency_id = v_agency) AND d.direction = 'out'
           AND d.doc_date BETWEEN p_from AND p_to
         ORDER BY d.book_id, d.book_year, d.book_number;
    END IF;
END $$;
