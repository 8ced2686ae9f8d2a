-- When an agency is renamed (a new dated row) or closes into a successor,
-- its work goes on there: the documents not yet finished move to the new
-- row (sql/functions/agencies.sql), and the rights over its finished ones
-- (seeing them, recalling, replacing, its registers) pass to the agency that
-- holds its work now: current_id, kept on every closed row (NULL when the
-- line ends). Rows closed before this migration get theirs here.
ALTER TABLE agencies ADD COLUMN current_id bigint REFERENCES agencies(id);
DO $$
DECLARE r record; a agencies; n int;
BEGIN
    FOR r IN SELECT id FROM agencies WHERE valid_to IS NOT NULL LOOP
        SELECT * INTO a FROM agencies WHERE id = r.id;
        n := 0;
        WHILE a.id IS NOT NULL AND a.valid_to IS NOT NULL AND n < 20 LOOP
            SELECT * INTO a FROM agencies WHERE id = a.successor_id;
            n := n + 1;
        END LOOP;
        UPDATE agencies SET current_id = CASE WHEN a.valid_to IS NULL THEN a.id END WHERE id = r.id;
    END LOOP;
END $$;
CREATE INDEX agencies_current ON agencies (current_id) WHERE current_id IS NOT NULL;

-- a rename moves books with the agency: what they list follows
ALTER TABLE book_types DROP CONSTRAINT book_types_book_id_agency_id_normative_body_key_fkey;
ALTER TABLE book_types ADD CONSTRAINT book_types_book_fkey FOREIGN KEY (book_id, agency_id, normative, body_key)
    REFERENCES books (id, agency_id, normative, body_key) ON UPDATE CASCADE;

-- document_types.normative_allowed gives way to agencies.normative_types (0025)
ALTER TABLE document_types DROP COLUMN normative_allowed;

-- work that closed agencies left unfinished goes to their successors
UPDATE documents d SET agency_id = a.current_id
  FROM agencies a
 WHERE a.id = d.agency_id AND a.valid_to IS NOT NULL AND a.current_id IS NOT NULL
   AND d.status NOT IN ('done', 'issued', 'recalled');
