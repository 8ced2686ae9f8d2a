-- sql/functions/books.sql: book_take_number gives each book consecutive
-- numbers per year, the year being the one in Asia/Ho_Chi_Minh at the
-- moment (numbers restart at 00:00 on 1 January there, 17:00 UTC on 31
-- December), and a rolled-back registration gives its number back.
-- Explicit moments are in years no stack reaches (2040 on), so the file
-- runs on any demo database.
BEGIN;
SELECT plan(25);

\ir lib/common.psql

-- An agency's book: incoming, or the outgoing one that covers the rest.
CREATE FUNCTION pg_temp.book(p_agency_code text, p_direction text)
    RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE v bigint;
BEGIN
    SELECT b.id INTO STRICT v FROM books b JOIN agencies a ON a.id = b.agency_id
     WHERE a.code = p_agency_code AND a.valid_to IS NULL AND b.direction = p_direction
       AND b.covers_rest AND NOT b.normative AND b.body_id IS NULL AND b.closed_at IS NULL;
    RETURN v;
END $$;

-- The next number of a book, as 'year #number'.
CREATE FUNCTION pg_temp.take(p_book bigint, p_at timestamptz DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT t.year || ' #' || t.number
      FROM book_take_number(p_book, coalesce(p_at, qlvb_now())) t
$$;

-- Moves the one clock (test mode, in this transaction only) to a moment.
CREATE FUNCTION pg_temp.clock_at(p_at timestamptz) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('qlvb.test_mode', 'on', true);
    UPDATE test_clock SET offset_us = (extract(epoch FROM p_at - now()) * 1000000)::bigint;
$$;

-- Registers an incoming document as a clerk: its book year and number.
CREATE FUNCTION pg_temp.register(p_clerk text, p_secrecy int DEFAULT 0, p_subject text DEFAULT 'pgTAP: sổ văn bản đến',
                                 OUT year int, OUT number int) LANGUAGE plpgsql AS $$
DECLARE v_id bigint;
BEGIN
    v_id := doc_register_incoming(pg_temp.uid(p_clerk),
                jsonb_build_object('type_code', 'CV', 'subject', p_subject,
                                   'issuer_name', 'Bộ Tư pháp', 'secrecy', p_secrecy));
    SELECT d.book_year, d.book_number INTO year, number FROM documents d WHERE d.id = v_id;
END $$;
CREATE FUNCTION pg_temp.registered(p_clerk text, p_secrecy int DEFAULT 0) RETURNS text LANGUAGE sql AS $$
    SELECT r.year || ' #' || r.number FROM pg_temp.register(p_clerk, p_secrecy) r
$$;

-- A draft of Sở Tư pháp's XDKTVB unit taken through review and signing and
-- issued: its number and notation.
CREATE FUNCTION pg_temp.issue(p_type text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_id bigint; v_notation text;
BEGIN
    v_id := doc_create_draft(pg_temp.uid('stp.chuyenvien'),
                             jsonb_build_object('type_code', p_type, 'subject', 'pgTAP: sổ văn bản đi'));
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), v_id);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), v_id, NULL);
    PERFORM doc_approve(pg_temp.uid('stp.giamdoc'), v_id, NULL);
    PERFORM doc_sign(pg_temp.uid('stp.giamdoc'), v_id, NULL);
    PERFORM doc_issue(pg_temp.uid('stp.vanthu'), v_id);
    SELECT number_notation INTO v_notation FROM documents WHERE id = v_id;
    RETURN v_notation;
END $$;

-- consecutive per book and year
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-06-01 09:00+07'), '2040 #1',
          'a book''s first number of a year is 1');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-06-01 09:05+07'), '2040 #2',
          'the next is 2');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-07-15 14:00+07'), '2040 #3',
          'and 3');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'out'), '2040-06-01 09:10+07'), '2040 #1',
          'the outgoing book of the same agency counts on its own');
SELECT is((SELECT count(*) FROM books b JOIN agencies a ON a.id = b.agency_id
            WHERE a.code = '000.00.21.H19' AND a.valid_to IS NULL AND b.direction = 'in'), 1::bigint,
          'an agency has one incoming series: no secret books (state secrets stay out)');
SELECT is(pg_temp.take(pg_temp.book('000.00.23.H19', 'in'), '2040-06-01 09:10+07'), '2040 #1',
          'another agency''s incoming book counts on its own');

-- the year turns at midnight in Asia/Ho_Chi_Minh
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-12-31 16:59:59+00'), '2040 #4',
          '16:59:59 UTC on 31 December (23:59:59 in Hà Nội) is still the old year');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-12-31 17:00:00+00'), '2041 #1',
          '17:00:00 UTC on 31 December (00:00 on 1 January in Hà Nội) starts the new year at 1');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-12-31 20:00:00+00'), '2041 #2',
          'the new year goes on from 1 while it is still 31 December in UTC');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in'), '2040-12-31 16:00:00+00'), '2040 #5',
          'a moment of the old year still takes the old year''s next number');
SELECT results_eq(
    format('SELECT year, last_number FROM book_counters WHERE book_id = %s AND year IN (2040, 2041) ORDER BY year',
           pg_temp.book('000.00.21.H19', 'in')),
    $$VALUES (2040, 5), (2041, 2)$$,
    'one counter row per book and year holds the last number taken');

-- without a moment, the one clock decides the year
SELECT pg_temp.clock_at('2042-12-31 16:59:59.5+00');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in')), '2042 #1',
          'without a moment the year is that of qlvb_now() (23:59:59 on 31 December 2042 in Hà Nội)');
SELECT pg_temp.clock_at('2042-12-31 17:00:00.5+00');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'in')), '2043 #1',
          'half a second later qlvb_now() is in 2043 in Hà Nội: the number restarts');

-- registration takes its number from the book, by the one clock
SELECT pg_temp.clock_at('2044-03-02 08:00+07');
SELECT is(pg_temp.registered('stp.vanthu'), '2044 #1', 'a registered incoming document takes the book''s number 1');
SELECT is(pg_temp.registered('stp.vanthu'), '2044 #2', 'the next registration takes 2');
SELECT throws_ok($$SELECT pg_temp.registered('stp.vanthu', 1)$$, 'QP007', NULL,
                 'a document marked Mật is refused: state-secret');
SELECT is(pg_temp.registered('stttt.vanthu'), '2044 #1', 'another agency''s clerk registers in that agency''s book, from 1');
SELECT is(pg_temp.registered('stp.vanthu'), '2044 #3', 'the book of Sở Tư pháp goes on at 3: the refusal took no number');

-- issue numbers from the outgoing book, notation per Decree 30
SELECT is(pg_temp.issue('QD'), '01/QĐ-STP', 'the first issued document of the year is 01, a decision notated QĐ-STP');
SELECT is(pg_temp.issue('CV'), '02/STP-XDKTVB', 'the next is 02; a công văn is notated agency-unit');
SELECT is(pg_temp.take(pg_temp.book('000.00.21.H19', 'out')), '2044 #3',
          'issuing took the outgoing book''s numbers 1 and 2');

-- a rolled-back registration gives its number back
SELECT number AS before_savepoint FROM pg_temp.register('stp.vanthu', 0, 'pgTAP: trước') \gset
SAVEPOINT registration;
SELECT number AS in_savepoint FROM pg_temp.register('stp.vanthu', 0, 'pgTAP: hủy') \gset
ROLLBACK TO SAVEPOINT registration;
SELECT number AS after_rollback FROM pg_temp.register('stp.vanthu', 0, 'pgTAP: sau') \gset
SELECT is(:in_savepoint, :before_savepoint + 1, 'the registration inside the savepoint took the next number');
SELECT is(:after_rollback, :in_savepoint, 'after its rollback the next registration takes the same number again');
SELECT is_empty($$SELECT 1 FROM documents WHERE subject = 'pgTAP: hủy'$$,
                'the rolled-back registration left no document');
SELECT is((SELECT last_number FROM book_counters WHERE book_id = pg_temp.book('000.00.21.H19', 'in') AND year = 2044),
          :after_rollback, 'the counter holds the last number kept, not the one given back');

SELECT * FROM finish();
ROLLBACK;
