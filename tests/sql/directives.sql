-- sql/functions/directives.sql: a tracker of the People's Committee office
-- records a directive of the chairman for a lead agency and coordinators;
-- each agency's part is a task held by its clerks and leaders, made into
-- tasks of its own; the office confirms; the dashboard's counts, kept on
-- every write and folded with the clock when read, add up per agency to the
-- province's and match a count of the tasks themselves, at any moment.
BEGIN;
SELECT plan(19);

\ir lib/common.psql

UPDATE test_clock SET offset_us = 0;
SET LOCAL qlvb.test_mode = on;

SELECT ok(directive_tracker(pg_temp.uid('vp.chuyenvien')), 'the office''s tracker records directives');
SELECT ok(directive_reader(pg_temp.uid('chutich')), 'the chairman reads every directive');
SELECT ok(NOT directive_reader(pg_temp.uid('stp.giamdoc')), 'a department''s director does not read them all');
SELECT throws_ok($$SELECT directive_create(pg_temp.uid('stp.chuyenvien'), '{}')$$, 'QP002', NULL,
                 'an official of a department records no directive');

CREATE FUNCTION pg_temp.directive(p_title text, p_lead text, p_days int, p_coord text) RETURNS bigint LANGUAGE sql AS $$
    SELECT directive_create(pg_temp.uid('vp.chuyenvien'), jsonb_build_object(
        'title', p_title, 'content', 'Nội dung chỉ đạo: ' || p_title, 'directed_by', pg_temp.uid('chutich'),
        'source', 'meeting', 'meeting', 'Thông báo kết luận số 15/TB-UBND', 'priority', 'urgent',
        'agencies', jsonb_build_array(jsonb_build_object('agency_code', p_lead, 'role', 'lead', 'deadline_working_days', p_days))
                    || CASE WHEN p_coord IS NULL THEN '[]'::jsonb
                            ELSE jsonb_build_array(jsonb_build_object('agency_code', p_coord, 'role', 'coordinate',
                                                                      'deadline_working_days', p_days)) END))
$$;
SELECT set_config('t.d1', pg_temp.directive('Rà soát thủ tục hành chính', '000.00.21.H19', 5, '000.00.23.H19')::text, true);
SELECT is((SELECT count(*) FROM tasks WHERE directive_id = current_setting('t.d1')::bigint AND user_id IS NULL), 2::bigint,
          'the lead and the coordinating agency each hold a task');
SELECT ok(EXISTS (SELECT 1 FROM inbox_items i JOIN tasks t ON t.id = i.task_id
                   WHERE t.directive_id = current_setting('t.d1')::bigint AND i.user_id = pg_temp.uid('stp.vanthu')
                     AND i.reason = 'directive')
          AND EXISTS (SELECT 1 FROM inbox_items i JOIN tasks t ON t.id = i.task_id
                       WHERE t.directive_id = current_setting('t.d1')::bigint AND i.user_id = pg_temp.uid('stp.giamdoc')),
          'the lead agency''s clerk and leader find it in their inboxes');
SELECT ok(directive_visible(pg_temp.uid('stp.giamdoc'), current_setting('t.d1')::bigint)
          AND NOT directive_visible(pg_temp.uid('stp.chuyenvien'), current_setting('t.d1')::bigint),
          'the agency''s leader sees it; its official, who holds nothing of it, does not');

-- the agency opens it, makes a task of it, reports; the office confirms
SELECT lives_ok($$SELECT directive_opened_by(pg_temp.uid('stp.giamdoc'), current_setting('t.d1')::bigint)$$, 'the director opens it');
SELECT set_config('t.part', (SELECT id FROM tasks WHERE directive_id = current_setting('t.d1')::bigint AND role = 'main')::text, true);
SELECT ok(EXISTS (SELECT 1 FROM directive_opened WHERE task_id = current_setting('t.part')::bigint), 'the office sees when');
SELECT set_config('t.sub', task_create(pg_temp.uid('stp.giamdoc'), jsonb_build_object('title', 'Rà soát thủ tục lĩnh vực hộ tịch',
    'parent_id', current_setting('t.part')::bigint, 'lead_user_id', pg_temp.uid('stp.chuyenvien'), 'deadline_working_days', 3))::text, true);
SELECT ok(task_visible(pg_temp.uid('chutich'), current_setting('t.sub')::bigint), 'the chairman reads the agency''s own tasks too');
SELECT lives_ok($$SELECT task_complete(pg_temp.uid('stp.vanthu'), current_setting('t.part')::bigint, 'Đã rà soát xong')$$,
                'the agency''s clerk reports its completion');
SELECT lives_ok($$SELECT task_confirm(pg_temp.uid('vp.chuyenvien'), current_setting('t.part')::bigint, NULL)$$,
                'the office''s tracker confirms it');

-- more pairs, then the dashboard at a moment and a month later
SELECT pg_temp.directive('Chỉ đạo ' || g, CASE WHEN g % 2 = 0 THEN '000.00.21.H19' ELSE '000.00.23.H19' END, g % 7 + 1,
                         CASE WHEN g % 3 = 0 THEN '000.00.07.H19' END) FROM generate_series(1, 30) g;
CREATE FUNCTION pg_temp.sums_agree(p_from date, p_to date) RETURNS boolean LANGUAGE sql AS $$
    WITH s AS (SELECT directive_stats(pg_temp.uid('vp.chuyenvien'), p_from, p_to) j)
    SELECT bool_and((SELECT sum((a->>k)::bigint) FROM s, jsonb_array_elements(s.j->'agencies') a)
                    = (SELECT (s.j->'province'->>k)::bigint FROM s))
      FROM unnest(ARRAY['total', 'in_progress', 'overdue', 'done_on_time', 'done_late', 'awaiting_confirmation']) k
$$;
-- the same figures counted from the tasks themselves, at the clock now
CREATE FUNCTION pg_temp.by_scan(p_from date, p_to date) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('total', count(*),
        'overdue', count(*) FILTER (WHERE task_status(t, qlvb_now()) = 'overdue'),
        'in_progress', count(*) FILTER (WHERE task_status(t, qlvb_now()) = 'in_progress'),
        'done_on_time', count(*) FILTER (WHERE task_status(t, qlvb_now()) = 'done_on_time'))
      FROM tasks t WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
       AND api_deadline_date(t.deadline) BETWEEN p_from AND p_to
$$;
CREATE FUNCTION pg_temp.by_counts(p_from date, p_to date) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('total', j->'total', 'overdue', j->'overdue', 'in_progress', j->'in_progress',
                              'done_on_time', j->'done_on_time')
      FROM (SELECT directive_stats(pg_temp.uid('vp.chuyenvien'), p_from, p_to)->'province' j) x
$$;
SELECT ok(pg_temp.sums_agree('2026-01-01', '2027-12-31'), 'the agencies'' figures add up to the province''s');
SELECT is(pg_temp.by_counts('2026-01-01', '2027-12-31'), pg_temp.by_scan('2026-01-01', '2027-12-31'),
          'the kept counts say what a scan of the tasks says, now');
SELECT is(pg_temp.by_counts('2026-11-15', '2027-01-10'), pg_temp.by_scan('2026-11-15', '2027-01-10'),
          'a period cut inside its months: the edges read by day, the rest by month');
UPDATE test_clock SET offset_us = 30 * 86400 * 1000000::bigint;
SELECT is(pg_temp.by_counts('2026-11-15', '2027-01-10'), pg_temp.by_scan('2026-11-15', '2027-01-10'),
          'the same a month later');
SELECT is(pg_temp.by_counts('2026-01-01', '2027-12-31'), pg_temp.by_scan('2026-01-01', '2027-12-31'),
          'a month later, with nothing rewritten: the passed deadlines are overdue in both');
SELECT ok((pg_temp.by_counts('2026-01-01', '2027-12-31')->>'overdue')::int >= 30, 'and they are overdue indeed');
UPDATE test_clock SET offset_us = 70 * 86400 * 1000000::bigint;
SELECT is(pg_temp.by_counts('2026-01-01', '2027-12-31'), pg_temp.by_scan('2026-01-01', '2027-12-31'),
          'and two months later, when the months of the deadlines lie wholly in the past');

SELECT * FROM finish();
ROLLBACK;
