-- sql/functions/agencies.sql: an agency renamed (a new dated row) or closed
-- into a successor mid-work goes on working: its unfinished documents move
-- with it, its people keep their rights over the finished ones (seeing,
-- recalling, registers), and books that list types follow a rename.
BEGIN;
SELECT plan(17);

\ir lib/common.psql

CREATE FUNCTION pg_temp.stp() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT id FROM agencies WHERE code = '000.00.21.H19' AND valid_to IS NULL
$$;
CREATE FUNCTION pg_temp.draft(p_subject text) RETURNS bigint LANGUAGE sql AS $$
    SELECT doc_create_draft(pg_temp.uid('stp.chuyenvien'),
                            jsonb_build_object('type_code', 'QD', 'subject', p_subject,
                                               'recipients', '[{"agency_code": "000.00.24.H19"}]'::jsonb))
$$;
CREATE FUNCTION pg_temp.today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;

-- an administrator, a book that lists a type, and work at every stage
INSERT INTO users (username, full_name, password_hash) VALUES ('pgtap.stp.qtv', 'Quản trị', 'x');
INSERT INTO memberships (user_id, agency_id, position, title, roles)
VALUES (pg_temp.uid('pgtap.stp.qtv'), pg_temp.stp(), 'admin', 'Quản trị viên', '{admin}');
SELECT book_create(pg_temp.uid('pgtap.stp.qtv'), '{"name": "Sổ kế hoạch", "type_codes": ["KH"]}') AS kh_book \gset

SELECT pg_temp.draft('pgTAP: ban hành trước khi đổi tên') AS issued \gset
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), :issued) \gset
SELECT doc_approve(pg_temp.uid('stp.truongphong'), :issued, NULL) \gset
SELECT doc_approve(pg_temp.uid('stp.giamdoc'), :issued, NULL) \gset
SELECT doc_sign(pg_temp.uid('stp.giamdoc'), :issued, NULL) \gset
SELECT doc_issue(pg_temp.uid('stp.vanthu'), :issued) \gset
SELECT pg_temp.draft('pgTAP: đang duyệt khi đổi tên') AS reviewing \gset
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), :reviewing) \gset
SELECT doc_approve(pg_temp.uid('stp.truongphong'), :reviewing, NULL) \gset
SELECT doc_register_incoming(pg_temp.uid('stp.vanthu'),
    '{"type_code": "CV", "subject": "pgTAP: đến trước khi đổi tên", "issuer_name": "Bộ Tư pháp"}') AS incoming \gset
SELECT pg_temp.stp() AS old_row \gset
UPDATE agencies SET confirm_document_tasks = true WHERE id = :old_row;

------------------------------------------------------------------------
-- renamed
SELECT lives_ok(format($$SELECT agency_rename('000.00.21.H19', %L, 'Sở Tư pháp tỉnh Đồng Nai', 'STP')$$,
                       pg_temp.today() - 1),
                'an agency with a book that lists types is renamed (from yesterday)');
SELECT isnt(pg_temp.stp(), :old_row::bigint, 'a new row holds the agency');
SELECT is((SELECT confirm_document_tasks FROM agencies WHERE id = pg_temp.stp()), true,
          'with its settings: the confirmation its leaders give');
SELECT is((SELECT agency_id FROM documents WHERE id = :reviewing), pg_temp.stp(),
          'the draft under review moved to the new row');
SELECT is((SELECT agency_id FROM documents WHERE id = :issued), :old_row::bigint,
          'the issued document stays with the agency as it was');
SELECT is((SELECT b.agency_id FROM book_types t JOIN books b ON b.id = t.book_id WHERE b.name = 'Sổ kế hoạch'),
          pg_temp.stp(), 'the book that lists plans moved, with what it lists');
SELECT lives_ok(format('SELECT doc_approve(pg_temp.uid(%L), %s, NULL)', 'stp.giamdoc', :reviewing),
                'the director approves the draft that was under review');
SELECT lives_ok(format('SELECT doc_sign(pg_temp.uid(%L), %s, NULL)', 'stp.giamdoc', :reviewing),
                'and signs it');
SELECT lives_ok(format('SELECT doc_issue(pg_temp.uid(%L), %s)', 'stp.vanthu', :reviewing),
                'the clerk issues it');
SELECT lives_ok(format('SELECT doc_present(pg_temp.uid(%L), %s, pg_temp.uid(%L), NULL)', 'stp.vanthu', :incoming,
                       'stp.giamdoc'),
                'the clerk presents the incoming document registered before the rename');
SELECT ok(doc_visible(pg_temp.uid('stp.giamdoc'), :issued),
          'the director still sees what the agency issued under its old row');
SELECT ok(EXISTS (SELECT 1 FROM register_lines(pg_temp.uid('stp.vanthu'), 'out', pg_temp.today(), pg_temp.today())
                   WHERE c3 LIKE '%ban hành trước khi đổi tên'),
          'the outgoing register still holds the line numbered under the old row');
SELECT lives_ok(format('SELECT doc_recall_order(pg_temp.uid(%L), %s, %L)', 'stp.giamdoc', :issued, 'pgTAP: thu hồi'),
                'the director may recall what the agency issued before its rename');

------------------------------------------------------------------------
-- closed into a successor
SELECT pg_temp.draft('pgTAP: dự thảo khi sáp nhập') AS merging \gset
SELECT lives_ok(format($$SELECT agency_close('000.00.21.H19', %L, '000.00.23.H19')$$, pg_temp.today()),
                'the agency closes into Sở Khoa học và Công nghệ');
SELECT is((SELECT a.code FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = :merging),
          '000.00.23.H19', 'its open draft moved to the successor');
SELECT lives_ok(format('SELECT doc_submit(pg_temp.uid(%L), %s)', 'stp.chuyenvien', :merging),
                'and its author, now of the successor, submits it');
SELECT ok(doc_visible(pg_temp.uid('stttt.giamdoc'), :issued),
          'the successor''s director sees what the closed agency issued');

SELECT * FROM finish();
ROLLBACK;
