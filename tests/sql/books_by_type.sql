-- sql/functions/books.sql: the book is chosen by the document (its type,
-- whether it is normative, its issuing body), coverage never overlaps,
-- normative documents have a series per type with the year in the
-- notation, advisory bodies have their own, a type numbered this year
-- keeps its book, and incoming duplicates compare number and notation
-- apart. The clock is in 2045, a year no stack reaches, so every series
-- starts at 1.
BEGIN;
SELECT plan(40);

\ir lib/common.psql

DO $$ BEGIN
    PERFORM set_config('qlvb.test_mode', 'on', true);
    UPDATE test_clock SET offset_us = (extract(epoch FROM '2045-03-02 09:00+07'::timestamptz - now()) * 1000000)::bigint;
END $$;

-- an administrator of Sở Tư pháp
INSERT INTO users (username, full_name, password_hash) VALUES ('pgtap.stp.admin', 'Quản trị Sở Tư pháp', 'x');
INSERT INTO memberships (user_id, agency_id, position, title, roles)
SELECT pg_temp.uid('pgtap.stp.admin'), id, 'admin', 'Quản trị viên', '{admin}'
  FROM agencies WHERE code = '000.00.21.H19' AND valid_to IS NULL;

CREATE FUNCTION pg_temp.stp() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT id FROM agencies WHERE code = '000.00.21.H19' AND valid_to IS NULL
$$;
CREATE FUNCTION pg_temp.body() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT id FROM units WHERE agency_id = pg_temp.stp() AND abbr = 'HĐPHPBGDPL'
$$;
CREATE FUNCTION pg_temp.book(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT id FROM books WHERE agency_id = pg_temp.stp() AND name = p_name
$$;
CREATE FUNCTION pg_temp.create(f jsonb) RETURNS bigint LANGUAGE sql AS $$
    SELECT book_create(pg_temp.uid('pgtap.stp.admin'), f)
$$;

-- A draft of Sở Tư pháp taken through review and signing and issued (f:
-- extra draft fields): its number and notation.
CREATE FUNCTION pg_temp.issue(p_type text, f jsonb DEFAULT '{}') RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_id bigint; v_notation text;
BEGIN
    v_id := doc_create_draft(pg_temp.uid('stp.chuyenvien'),
                             jsonb_build_object('type_code', p_type, 'subject', 'pgTAP: sổ theo loại') || f);
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), v_id);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), v_id, NULL);
    PERFORM doc_approve(pg_temp.uid('stp.giamdoc'), v_id, NULL);
    PERFORM doc_sign(pg_temp.uid('stp.giamdoc'), v_id, NULL);
    PERFORM doc_issue(pg_temp.uid('stp.vanthu'), v_id);
    SELECT number_notation INTO v_notation FROM documents WHERE id = v_id;
    RETURN v_notation;
END $$;

------------------------------------------------------------------------
-- the agency's own series and the normative ones
SELECT throws_ok($$SELECT doc_create_draft(pg_temp.uid('stp.chuyenvien'),
                       '{"type_code": "QD", "subject": "pgTAP", "normative": true}')$$, 'QP004', NULL,
                 'a department issues no normative decision (agencies.normative_types is empty)');
SELECT is((SELECT normative_types FROM agencies WHERE code = '000.00.00.H19' AND valid_to IS NULL), '{QD}'::text[],
          'the provincial People''s Committee issues normative decisions');
-- which agency issues which normative types is data: here Sở Tư pháp is
-- let issue them, to number them in its books
UPDATE agencies SET normative_types = '{QD,NQ}' WHERE id = pg_temp.stp();
SELECT is(pg_temp.issue('QD'), '01/QĐ-STP', 'an individual decision: the book of the rest, 01');
SELECT is(pg_temp.issue('QD', '{"normative": true}'), '01/2045/QĐ-STP',
          'a normative decision: its own series from 01, the year in the notation');
SELECT is(pg_temp.issue('QD', '{"normative": true}'), '02/2045/QĐ-STP', 'the next normative decision: 02');
SELECT is(pg_temp.issue('NQ', '{"normative": true}'), '01/2045/NQ-STP', 'a normative resolution: a series of its own type');
SELECT is(pg_temp.issue('TB'), '02/TB-STP', 'the book of the rest goes on at 02, whatever the type');
SELECT results_eq(
    $$SELECT name, normative, covers_rest, (SELECT array_agg(type_code) FROM book_types WHERE book_id = b.id)
        FROM books b WHERE agency_id = pg_temp.stp() AND direction = 'out' AND body_id IS NULL ORDER BY id$$,
    $$VALUES ('Sổ đăng ký văn bản đi', false, true, NULL::text[]),
             ('Sổ văn bản quy phạm pháp luật: Quyết định', true, false, '{QD}'::text[]),
             ('Sổ văn bản quy phạm pháp luật: Nghị quyết', true, false, '{NQ}'::text[])$$,
    'a normative type got its series at its first issue, covering that type only');
SELECT throws_ok($$SELECT pg_temp.issue('TB', '{"normative": true}')$$, 'QP004', NULL,
                 'a notice is not among the normative types: invalid value');
SELECT throws_ok($$SELECT pg_temp.issue('QD', jsonb_build_object('normative', true, 'issuing_body_id', pg_temp.body()))$$,
                 'QP004', NULL, 'an advisory body issues no normative documents');

-- an advisory body's own series, its abbreviation the issuer group
SELECT is(pg_temp.issue('KH', jsonb_build_object('issuing_body_id', pg_temp.body())), '01/KH-HĐPHPBGDPL',
          'an advisory body issues from its own book, from 01, under its abbreviation');
SELECT is(pg_temp.issue('QD', jsonb_build_object('issuing_body_id', pg_temp.body())), '02/QĐ-HĐPHPBGDPL',
          'its next document of another type: 02 in the same book');
SELECT throws_ok($$SELECT pg_temp.issue('KH', jsonb_build_object('issuing_body_id',
                       (SELECT id FROM units WHERE agency_id = pg_temp.stp() AND abbr = 'VP')))$$,
                 'QP004', NULL, 'a unit that is no advisory body does not issue: invalid value');

------------------------------------------------------------------------
-- books set by the administrator
SELECT throws_ok($$SELECT book_create(pg_temp.uid('stp.vanthu'), '{"name": "Sổ kế hoạch", "type_codes": ["KH"]}')$$,
                 'QP002', NULL, 'a clerk does not open books: forbidden');
SELECT lives_ok($$SELECT pg_temp.create('{"name": "Sổ kế hoạch, chương trình", "type_codes": ["KH", "CTR"]}')$$,
                'the administrator opens a book for plans and programmes');
SELECT is(pg_temp.issue('KH'), '01/KH-STP', 'a plan is numbered in its book, from 01');
SELECT is(pg_temp.issue('CTR'), '02/CTr-STP', 'a programme in the same book: 02 (CTr as written)');
SELECT is(pg_temp.issue('TB'), '03/TB-STP', 'a notice stays in the book of the rest: 03');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ kế hoạch 2", "type_codes": ["KH"]}')$$,
                 'QP014', 'type KH is already covered by "Sổ kế hoạch, chương trình"',
                 'a second book for plans overlaps: book-overlap naming the book');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ khác", "covers_rest": true}')$$,
                 'QP014', NULL, 'a second book of the rest overlaps');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ quyết định QPPL", "normative": true, "type_codes": ["QD"]}')$$,
                 'QP014', NULL, 'a second normative series for decisions overlaps');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ QPPL", "normative": true, "type_codes": ["QD", "NQ"]}')$$,
                 'QP014', NULL, 'normative types already in their series: overlap');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ công văn", "type_codes": ["CV"]}')$$,
                 'QP014', NULL, 'công văn apart from thư công would number them alike: refused');
SELECT lives_ok($$SELECT pg_temp.create('{"name": "Sổ công văn, thư công", "type_codes": ["CV", "THC"]}')$$,
                'công văn and thư công together in a book of their own');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ quyết định", "type_codes": ["QD"]}')$$,
                 'QP015', NULL, 'individual decisions were numbered in the book of the rest this year: book-in-use');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ X", "type_codes": ["XX"]}')$$,
                 'QP011', 'XX is no document type', 'an unknown type: unknown-type-code');
SELECT lives_ok($$SELECT book_change(pg_temp.uid('pgtap.stp.admin'), pg_temp.book('Sổ kế hoạch, chương trình'),
                                     '{"type_codes": ["KH", "KH", "CTR"]}')$$,
                'a type named twice is one type');
SELECT throws_ok($$SELECT pg_temp.create('{"name": "Sổ trống"}')$$,
                 'QP004', NULL, 'a book that covers nothing: invalid value');
SELECT throws_ok($$SELECT book_change(pg_temp.uid('pgtap.stp.admin'), pg_temp.book('Sổ kế hoạch, chương trình'),
                                      '{"closed": true}')$$,
                 'QP015', NULL, 'closing a book that numbered this year would renumber its types: book-in-use');
SELECT throws_ok($$SELECT book_change(pg_temp.uid('pgtap.stp.admin'),
                                      (SELECT b.id FROM books b JOIN agencies a ON a.id = b.agency_id
                                        WHERE a.code = '000.00.23.H19' AND b.direction = 'out' LIMIT 1), '{"name": "x"}')$$,
                 'QP013', NULL, 'another agency''s book: book-not-found');
SELECT throws_ok($$SELECT book_change(pg_temp.uid('pgtap.stp.admin'),
                                      (SELECT id FROM books WHERE agency_id = pg_temp.stp() AND direction = 'in'),
                                      '{"covers_rest": false}')$$,
                 'QP004', NULL, 'the incoming series is renamed only');

-- a new year: coverage may change
UPDATE test_clock SET offset_us = (extract(epoch FROM '2046-01-05 09:00+07'::timestamptz - now()) * 1000000)::bigint;
SELECT lives_ok($$SELECT pg_temp.create('{"name": "Sổ quyết định", "type_codes": ["QD"]}')$$,
                'from 1 January individual decisions may have their own book');
SELECT is(pg_temp.issue('QD'), '01/QĐ-STP', 'and the first one of 2046 is 01 in it');
SELECT is(pg_temp.issue('TB'), '01/TB-STP', 'the book of the rest restarts at 01 too');

-- two books giving one notation: the database still refuses it, clearly
DELETE FROM book_types WHERE type_code = 'THC' AND agency_id = pg_temp.stp();
SELECT is(pg_temp.issue('CV'), '01/STP-XDKTVB', 'a công văn from its book: 01');
SELECT is(pg_temp.issue('CV'), '02/STP-XDKTVB', 'the next: 02');
SELECT throws_ok($$SELECT pg_temp.issue('THC')$$, 'QP012', NULL,
                 'a thư công from the book of the rest (at 02) would repeat 02/STP-XDKTVB: notation-taken');

------------------------------------------------------------------------
-- incoming duplicates: number and notation compared apart
CREATE FUNCTION pg_temp.dup(f jsonb) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT incoming_duplicate_of(pg_temp.uid('stp.vanthu'),
        jsonb_build_object('issuer_name', 'Ủy ban nhân dân tỉnh Đồng Nai', 'doc_date', '2046-01-02') || f) IS NOT NULL
$$;
SELECT doc_register_incoming(pg_temp.uid('stp.vanthu'),
    '{"type_code": "QD", "subject": "pgTAP: trùng", "issuer_name": "Ủy ban nhân dân tỉnh Đồng Nai",
      "doc_date": "2046-01-02", "number": "15", "notation": "QĐ-UBND"}');
SELECT ok(pg_temp.dup('{"number_notation": "15/qđ-ubnd"}'),
          'registered with number and notation apart; the same written whole, in lower case, is a duplicate');
SELECT ok(pg_temp.dup('{"number": "015", "notation": "QÐ-UBND"}'),
          '015 is 15, and Ð (U+00D0) reads as Đ: a duplicate');
SELECT ok(NOT pg_temp.dup('{"number_notation": "15/2046/QĐ-UBND"}'),
          'the normative 15/2046/QĐ-UBND is another document');

SELECT * FROM finish();
ROLLBACK;
