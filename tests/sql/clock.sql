-- sql/functions/clock.sql: qlvb_now() is now() unless the database is in
-- test mode (qlvb.test_mode = on), where the one row of test_clock moves it;
-- the column defaults and the workflow take their time from it.
-- now() is the transaction's start, so every comparison here is exact.
BEGIN;
SELECT plan(14);

\ir lib/common.psql

UPDATE test_clock SET offset_us = 0;
SET LOCAL qlvb.test_mode = on;
SELECT is(qlvb_now(), now(), 'test mode, clock not moved: qlvb_now() is now()');

UPDATE test_clock SET offset_us = 86400 * 1000000::bigint;
SELECT is(qlvb_clock_offset_us(), 86400 * 1000000::bigint, 'test mode: the offset is test_clock''s');
SELECT is(qlvb_now(), now() + interval '1 day', 'test mode, clock moved a day: qlvb_now() is a day ahead');

UPDATE test_clock SET offset_us = -3600 * 1000000::bigint;
SELECT is(qlvb_now(), now() - interval '1 hour', 'test mode: the clock moves back as well');

UPDATE test_clock SET offset_us = 86400 * 1000000::bigint;
SET LOCAL qlvb.test_mode = off;
SELECT is(qlvb_clock_offset_us(), 0::bigint, 'test mode off: no offset, whatever test_clock says');
SELECT is(qlvb_now(), now(), 'test mode off: qlvb_now() is now() though test_clock is moved');

SET LOCAL qlvb.test_mode = '';
SELECT is(qlvb_now(), now(), 'test mode empty (as good as unset): qlvb_now() is now()');

SET LOCAL qlvb.test_mode = 'true';
SELECT is(qlvb_now(), now(), 'only ''on'' is test mode');

-- what reads the clock: column defaults and the workflow
SET LOCAL qlvb.test_mode = on;
CREATE TEMP TABLE doc AS
    SELECT doc_register_incoming(pg_temp.uid('stp.vanthu'),
               '{"type_code": "CV", "subject": "pgTAP: đồng hồ", "issuer_name": "Bộ Tư pháp"}') AS id;
SELECT is((SELECT d.created_at FROM documents d JOIN doc USING (id)), now() + interval '1 day',
          'a column default (documents.created_at) takes the moved clock');
SELECT is((SELECT d.received_at FROM documents d JOIN doc USING (id)), now() + interval '1 day',
          'registration records the moved clock as received_at');
SELECT is((SELECT h.at FROM document_history h JOIN doc d ON d.id = h.document_id WHERE h.action = 'registered'),
          now() + interval '1 day', 'the history of a step is dated by the moved clock');

-- the API's moments keep their instant in any year: +07:00 as written
SELECT is(api_time('1970-01-01 00:00:00+00'), '1970-01-01T07:00:00.000+07:00',
          '1970 (Saigon kept +08:00 then): the instant, written at +07:00');
SELECT is(api_time('1900-01-01 00:00:00+00'), '1900-01-01T07:00:00.000+07:00', '1900: the same instant, not the local mean time');
SELECT is(api_deadline_date('2026-12-03 00:00:00.000001+07'), '2026-12-02'::date,
          'a deadline shown as 00:00:00.000 belongs to the day before, whatever its microseconds');
SELECT * FROM finish();
ROLLBACK;
