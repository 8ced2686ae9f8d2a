-- An outgoing document's number and notation are unique for its agency
-- within the year, across all its books (Decree 30, Art. 15.1), in the
-- database, so that no bug can issue one twice. Notations are compared as
-- notation_key() says: case-insensitively after NFC, reading Ð (U+00D0) as
-- Đ. Duplicates issued before this rule (numbers from 100 on were cut to two
-- digits) went out and are kept: the first issued keeps its notation, the
-- later ones are listed here and marked notation_duplicate, and the unique
-- index leaves the marked rows out. notation_key's body lives in
-- sql/functions/books.sql; this first version exists for the index.
CREATE FUNCTION notation_key(p_notation text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(normalize(replace(p_notation, 'Ð', 'Đ'), NFC))
$$;

ALTER TABLE documents ADD COLUMN notation_duplicate boolean NOT NULL DEFAULT false;

DO $$
DECLARE r record; n integer := 0;
BEGIN
    FOR r IN
        SELECT x.id, x.book_year, x.book_number, x.number_notation, a.code
          FROM (SELECT d.*, row_number() OVER (PARTITION BY d.agency_id, d.book_year, notation_key(d.number_notation)
                                               ORDER BY d.issued_at NULLS LAST, d.id) AS nth
                  FROM documents d
                 WHERE d.direction = 'out' AND d.number_notation IS NOT NULL) x
          JOIN agencies a ON a.id = x.agency_id
         WHERE x.nth > 1
         ORDER BY x.agency_id, x.book_year, x.id
    LOOP
        RAISE WARNING 'duplicate notation kept and marked: document % of agency % (%, number % in the book) repeats "%"',
            r.id, r.code, r.book_year, r.book_number, r.number_notation;
        UPDATE documents SET notation_duplicate = true WHERE id = r.id;
        n := n + 1;
    END LOOP;
    IF n > 0 THEN
        RAISE WARNING '% outgoing document(s) marked notation_duplicate', n;
    END IF;
END $$;

CREATE UNIQUE INDEX documents_out_notation_unique
    ON documents (agency_id, book_year, notation_key(number_notation))
 WHERE direction = 'out' AND number_notation IS NOT NULL AND NOT notation_duplicate;
