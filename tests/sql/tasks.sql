-- sql/functions/tasks.sql: a task's status derived at a moment (never
-- stored), who may take each step (task_refusal, the rule allowed_actions
-- lists), completion reported then confirmed or returned, extensions, and
-- sub-tasks delegated within their task's deadline. The clock moves by
-- test_clock's offset (test mode), never by waiting.
BEGIN;
SELECT plan(27);

\ir lib/common.psql

UPDATE test_clock SET offset_us = 0;
SET LOCAL qlvb.test_mode = on;

CREATE FUNCTION pg_temp.t(p bigint) RETURNS tasks LANGUAGE sql AS $$ SELECT * FROM tasks WHERE id = p $$;
CREATE FUNCTION pg_temp.at(p bigint, p_moment timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT task_status(t, p_moment) FROM tasks t WHERE id = p $$;

-- the status of a fixed task at chosen moments: pure, never stored
INSERT INTO tasks (source, title, user_id, agency_id, role, deadline, assigned_by, assigner_agency_id, created_at)
SELECT 'direct', 'Trạng thái theo thời điểm', pg_temp.uid('stp.chuyenvien'), a.id, 'main', '2026-02-13 17:00+07',
       pg_temp.uid('stp.giamdoc'), a.id, '2026-02-09 08:00+07'
  FROM agencies a WHERE a.code = '000.00.21.H19' AND a.valid_to IS NULL;
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-02-10 09:00+07'), 'in_progress', 'before its deadline: in progress');
SELECT ok(task_due_soon(pg_temp.t(currval('tasks_id_seq')), '2026-02-12 09:00+07'), '... within 3 days of it: due soon');
SELECT ok(NOT task_due_soon(pg_temp.t(currval('tasks_id_seq')), '2026-02-09 09:00+07'), '... 4 days before: not yet');
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-02-13 17:00+07'), 'overdue', 'at its deadline: overdue');
UPDATE tasks SET reported_at = '2026-02-13 16:00+07' WHERE id = currval('tasks_id_seq');
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-02-16 09:00+07'), 'overdue',
          'completion reported in time but not confirmed counts by its deadline: overdue');
UPDATE tasks SET finished_at = '2026-02-23 09:00+07' WHERE id = currval('tasks_id_seq');
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-03-01 09:00+07'), 'done_on_time',
          'confirmed after the deadline, reported before it: done on time (judged at the report)');
UPDATE tasks SET reported_at = '2026-02-13 17:00+07' WHERE id = currval('tasks_id_seq');
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-03-01 09:00+07'), 'done_late', 'reported at the deadline''s instant: late');
UPDATE tasks SET deadline = NULL, finished_at = NULL, reported_at = NULL WHERE id = currval('tasks_id_seq');
SELECT is(pg_temp.at(currval('tasks_id_seq'), '2026-03-01 09:00+07'), 'no_deadline', 'no deadline: without deadline');

-- a task created directly, N working days from now, through its steps
SELECT set_config('t.giamdoc', pg_temp.uid('stp.giamdoc')::text, true), set_config('t.cv', pg_temp.uid('stp.chuyenvien')::text, true);
SELECT lives_ok($$SELECT set_config('t.id', task_create(current_setting('t.giamdoc')::bigint,
    jsonb_build_object('title', 'Báo cáo tình hình', 'lead_user_id', current_setting('t.cv')::bigint,
                       'deadline_working_days', 3, 'coordinators', jsonb_build_array(jsonb_build_object('user_id', pg_temp.uid('stp.truongphong')))))::text, true)$$,
    'a leader creates a task for an official, 3 working days, with a coordinator');
SELECT is((SELECT deadline FROM tasks WHERE id = current_setting('t.id')::bigint),
          working_deadline(qlvb_now(), 3), 'its deadline is 24:00 of the third working day');
SELECT is((SELECT count(*) FROM tasks WHERE lead_task_id = current_setting('t.id')::bigint AND role = 'coordinate'),
          1::bigint, 'the coordinator''s task names the lead''s');
SELECT is(task_allowed_actions(pg_temp.uid('stp.chuyenvien'), pg_temp.t(current_setting('t.id')::bigint)),
          ARRAY['progress', 'complete', 'extend', 'delegate'], 'the holder may report, complete, ask more time, delegate');
SELECT is(task_allowed_actions(pg_temp.uid('stp.giamdoc'), pg_temp.t(current_setting('t.id')::bigint)), '{}'::text[],
          'the assigner has nothing to decide yet');
SELECT ok(NOT task_visible(pg_temp.uid('stttt.chuyenvien'), current_setting('t.id')::bigint),
          'an official of another agency does not see it');
SELECT throws_ok($$SELECT task_complete(pg_temp.uid('stp.truongphong'), current_setting('t.id')::bigint, NULL)$$,
                 'QP036', NULL, 'a coordinator does not complete the lead''s task');

SELECT lives_ok($$SELECT task_progress(pg_temp.uid('stp.chuyenvien'), current_setting('t.id')::bigint, '{"percent": 40, "note": "Đã thu thập số liệu"}')$$,
                'the holder reports 40%');
SELECT lives_ok($$SELECT task_complete(pg_temp.uid('stp.chuyenvien'), current_setting('t.id')::bigint, 'Xong')$$, 'the holder reports completion');
SELECT is((SELECT (reported_at IS NOT NULL, finished_at IS NULL) FROM tasks WHERE id = current_setting('t.id')::bigint),
          (true, true), 'completion waits for the assigner''s confirmation');
SELECT is(task_allowed_actions(pg_temp.uid('stp.giamdoc'), pg_temp.t(current_setting('t.id')::bigint)), ARRAY['confirm', 'return'],
          'the assigner may confirm or return it');
SELECT throws_ok($$SELECT task_progress(pg_temp.uid('stp.chuyenvien'), current_setting('t.id')::bigint, '{"percent": 50}')$$,
                 'QP039', NULL, 'no progress while completion awaits confirmation');
SELECT lives_ok($$SELECT task_return(pg_temp.uid('stp.giamdoc'), current_setting('t.id')::bigint, 'Bổ sung số liệu quý IV')$$,
                'the assigner returns it');
SELECT is((SELECT reported_at FROM tasks WHERE id = current_setting('t.id')::bigint), NULL, 'returned: no completion reported');

-- an extension asked and granted moves the deadline; a sub-task stays within it
SELECT lives_ok($$SELECT task_extension_ask(pg_temp.uid('stp.chuyenvien'), current_setting('t.id')::bigint,
                      '{"deadline_working_days": 10, "reason": "Chờ số liệu của các phòng"}')$$, 'the holder asks 10 working days');
SELECT lives_ok($$SELECT task_extension_decide(pg_temp.uid('stp.giamdoc'), current_setting('t.id')::bigint, true, NULL)$$, 'granted');
SELECT is((SELECT deadline FROM tasks WHERE id = current_setting('t.id')::bigint), working_deadline(qlvb_now(), 10),
          'the deadline moved to the one asked');
SELECT throws_ok($$SELECT task_create(pg_temp.uid('stp.chuyenvien'), jsonb_build_object('title', 'Phần việc', 'parent_id',
                      current_setting('t.id')::bigint, 'lead_user_id', pg_temp.uid('stp.chuyenvien'), 'deadline_working_days', 30))$$,
                 'QP004', NULL, 'a sub-task past its task''s deadline is refused');
SELECT set_config('t.sub', task_create(pg_temp.uid('stp.chuyenvien'), jsonb_build_object('title', 'Phần việc',
           'parent_id', current_setting('t.id')::bigint, 'lead_user_id', pg_temp.uid('stp.chuyenvien'),
           'deadline_working_days', 2))::text, true);
SELECT ok(task_visible(pg_temp.uid('stp.giamdoc'), current_setting('t.sub')::bigint),
          'a sub-task delegated down is seen by who assigned the task above it');

SELECT * FROM finish();
ROLLBACK;
