-- State secrets stay out of this system: the law forbids drafting or
-- storing them on a computer connected to the Internet or to any network
-- but an independent LAN (Law 117/2025/QH15 on state secrets, art. 5); they
-- are registered in the state-secret registers or a dedicated secret-document
-- system (art. 16.3, 22.4; Decree 63/2026). Registering, drafting or
-- importing a document marked Mật, Tối mật or Tuyệt mật is refused
-- (sql/functions/workflow.sql), the secret books go, and no row may carry a
-- secrecy mark. A database that holds such documents stops here.
DO $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM documents WHERE secrecy > 0;
    IF n > 0 THEN
        RAISE EXCEPTION '% document(s) marked Mật, Tối mật or Tuyệt mật are in this database', n
            USING HINT = 'State secrets may not be kept on a networked computer (Law 117/2025/QH15, art. 5). '
                         'Move them to the agency''s state-secret register or its dedicated secret-document '
                         'system, delete them here (SELECT id, subject FROM documents WHERE secrecy > 0 lists '
                         'them), then run migrate again.';
    END IF;
END $$;

DELETE FROM book_counters WHERE book_id IN (SELECT id FROM books WHERE secret);
DELETE FROM books WHERE secret;
ALTER TABLE books DROP COLUMN secret;
ALTER TABLE books ADD CONSTRAINT books_one_per_direction UNIQUE (agency_id, direction);
ALTER TABLE documents ADD CONSTRAINT documents_no_state_secrets CHECK (secrecy = 0);

DROP FUNCTION book_of(bigint, text, integer);
