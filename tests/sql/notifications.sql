-- sql/functions/notifications.sql: the sweep writes one warning per (task,
-- threshold, person) as the clock crosses each threshold (3 and 1 working
-- days before the deadline's day and the day itself, at 08:00; every
-- working day while overdue), never twice however often it runs, only the
-- latest of those it missed while it did not run, and one per holder of an
-- agency's task. The clock is moved by test_clock's offset.
BEGIN;
SELECT plan(22);

\ir lib/common.psql

SET LOCAL qlvb.test_mode = on;
-- the one clock at a chosen local moment
CREATE FUNCTION pg_temp.clock_at(p timestamptz) RETURNS void LANGUAGE sql AS $$
    UPDATE test_clock SET offset_us = (extract(epoch FROM p - now()) * 1000000)::bigint
$$;
CREATE FUNCTION pg_temp.warned(p_task bigint) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(split_part(dedupe_key, ':', 1) || ':' || split_part(dedupe_key, ':', 3) ORDER BY id), '{}')
      FROM notifications WHERE task_id = p_task AND kind IN ('task_due', 'task_overdue')
$$;
CREATE FUNCTION pg_temp.task(p_deadline timestamptz) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO tasks (source, title, user_id, agency_id, role, deadline, assigned_by, assigner_agency_id, created_at)
    SELECT 'direct', 'Báo cáo thử', pg_temp.uid('stp.chuyenvien'), a.id, 'main', p_deadline, pg_temp.uid('stp.giamdoc'),
           a.id, qlvb_now()
      FROM agencies a WHERE a.code = '000.00.21.H19' AND a.valid_to IS NULL
    RETURNING id
$$;

-- a batch of tasks a call: two tasks crossing a threshold, one a call,
-- each warned once; then nothing is left
SELECT pg_temp.clock_at('2026-03-09 07:30+07');
SELECT set_config('t.b1', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT set_config('t.b2', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT pg_temp.clock_at('2026-03-09 08:30+07');
SELECT is(ARRAY[notify_sweep(qlvb_now(), true, 1), notify_sweep(qlvb_now(), true, 1), notify_sweep(qlvb_now(), true, 1)],
          ARRAY[1, 1, 0], 'one task a call, then none');
SELECT is(pg_temp.warned(current_setting('t.b1')::bigint) || pg_temp.warned(current_setting('t.b2')::bigint),
          ARRAY['task:wd3', 'task:wd3'], 'each warned once');

-- Monday 9 March 2026, 07:00; the deadline is the end of Thursday 12 March
SELECT pg_temp.clock_at('2026-03-09 07:00+07');
SELECT set_config('t.a', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), '{}'::text[], 'before 08:00 on Monday: nothing yet');
SELECT pg_temp.clock_at('2026-03-09 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), ARRAY['task:wd3'], 'Monday 08:30: 3 working days before');
SELECT notify_sweep(qlvb_now());
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), ARRAY['task:wd3'], 'swept again: still one');
SELECT pg_temp.clock_at('2026-03-11 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), ARRAY['task:wd3', 'task:wd1'], 'Wednesday: 1 working day before');
SELECT pg_temp.clock_at('2026-03-12 08:00+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), ARRAY['task:wd3', 'task:wd1', 'task:day'], 'Thursday 08:00: the day');
SELECT pg_temp.clock_at('2026-03-13 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.a')::bigint), ARRAY['task:wd3', 'task:wd1', 'task:day', 'overdue:2026-03-13'],
          'Friday: overdue, once that day');
SELECT pg_temp.clock_at('2026-03-14 09:00+07');
SELECT notify_sweep(qlvb_now());
SELECT is(array_length(pg_temp.warned(current_setting('t.a')::bigint), 1), 4, 'Saturday is no working day: nothing');
SELECT pg_temp.clock_at('2026-03-16 08:05+07');
SELECT notify_sweep(qlvb_now());
SELECT is((pg_temp.warned(current_setting('t.a')::bigint))[5], 'overdue:2026-03-16', 'Monday: overdue again');

-- a task created on Monday whose first sweep comes on Wednesday gets only
-- the latest threshold it missed
SELECT pg_temp.clock_at('2026-03-09 07:30+07');
SELECT set_config('t.c', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT pg_temp.clock_at('2026-03-11 09:00+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.c')::bigint), ARRAY['task:wd1'],
          'a sweep that missed Monday''s threshold writes only Wednesday''s');

-- tasks loaded from an older system are marked as warned of what passed
-- (notify_sweep(..., false)): nothing written for it, the next threshold
-- comes as usual
SELECT pg_temp.clock_at('2026-03-09 07:30+07');
SELECT set_config('t.m', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT set_config('t.o', pg_temp.task(day_end('2026-03-10'))::text, true);
SELECT pg_temp.clock_at('2026-03-11 09:00+07');
SELECT notify_sweep(qlvb_now(), false);
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.m')::bigint) || pg_temp.warned(current_setting('t.o')::bigint), '{}'::text[],
          'marked without writing: neither the passed threshold nor the overdue day is written later');
SELECT pg_temp.clock_at('2026-03-12 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.m')::bigint) || pg_temp.warned(current_setting('t.o')::bigint),
          ARRAY['task:day', 'overdue:2026-03-12'], 'the next ones come as usual');

-- made after a threshold fired, the same day: not warned of it, only of
-- the next
SELECT pg_temp.clock_at('2026-03-11 10:00+07');
SELECT set_config('t.l', pg_temp.task(day_end('2026-03-12'))::text, true);
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.l')::bigint), '{}'::text[],
          'made at 10:00 after the 08:00 threshold: not warned of it');
SELECT pg_temp.clock_at('2026-03-12 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.l')::bigint), ARRAY['task:day'], 'the next one comes');

-- reported before its deadline, waiting for confirmation: no overdue warning
SELECT pg_temp.clock_at('2026-03-09 07:00+07');
SELECT set_config('t.r', pg_temp.task(day_end('2026-03-10'))::text, true);
UPDATE tasks SET reported_at = qlvb_now() WHERE id = current_setting('t.r')::bigint;
SELECT pg_temp.clock_at('2026-03-12 09:00+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.r')::bigint), '{}'::text[], 'work reported done is not overdue to warn of');

-- done or reported: no warning
SELECT pg_temp.clock_at('2026-03-09 07:00+07');
SELECT set_config('t.d', pg_temp.task(day_end('2026-03-12'))::text, true);
UPDATE tasks SET reported_at = qlvb_now(), finished_at = qlvb_now() WHERE id = current_setting('t.d')::bigint;
SELECT pg_temp.clock_at('2026-03-16 09:00+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.d')::bigint), '{}'::text[], 'a task done warns nobody');

-- Tết: 3 working days before Tuesday 24 February 2026 is Thursday 12 February
SELECT pg_temp.clock_at('2026-02-10 07:00+07');
SELECT set_config('t.e', pg_temp.task(day_end('2026-02-24'))::text, true);
SELECT pg_temp.clock_at('2026-02-12 08:01+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.e')::bigint), ARRAY['task:wd3'], 'across Tết: 3 working days before is 12 February');
SELECT pg_temp.clock_at('2026-02-23 08:01+07');
SELECT notify_sweep(qlvb_now());
SELECT is(pg_temp.warned(current_setting('t.e')::bigint), ARRAY['task:wd3', 'task:wd1'], '1 working day before is Monday 23, after Tết');

-- an agency's task: each clerk and leader, once
SELECT pg_temp.clock_at('2026-03-09 07:00+07');
INSERT INTO tasks (source, title, user_id, agency_id, role, deadline, assigned_by, assigner_agency_id, created_at)
SELECT 'direct', 'Nhiệm vụ của cơ quan', NULL, a.id, 'main', day_end('2026-03-10'), pg_temp.uid('stp.giamdoc'), a.id, qlvb_now()
  FROM agencies a WHERE a.code = '000.00.23.H19' AND a.valid_to IS NULL RETURNING id \gset agency_
SELECT pg_temp.clock_at('2026-03-09 08:30+07');
SELECT notify_sweep(qlvb_now());
SELECT notify_sweep(qlvb_now());
SELECT is((SELECT count(*) FROM notifications WHERE task_id = :agency_id),
          (SELECT count(*) FROM memberships m JOIN agencies a ON a.id = m.agency_id
            WHERE a.code = '000.00.23.H19' AND a.valid_to IS NULL AND user_active(m.user_id)
              AND ('clerk' = ANY (m.roles) OR m.position IN ('leader', 'deputy_leader'))),
          'an agency''s task warns each of its clerks and leaders once');
SELECT ok((SELECT count(*) FROM notifications WHERE task_id = :agency_id) >= 2, 'and there are some');

-- the instant ones: written with the change, once however often it is written again
SELECT notify(pg_temp.uid('stp.truongphong'), 'draft_to_approve', 'approve:test:1', NULL, NULL, NULL, false, 'Dự thảo');
SELECT notify(pg_temp.uid('stp.truongphong'), 'draft_to_approve', 'approve:test:1', NULL, NULL, NULL, false, 'Dự thảo');
SELECT is((SELECT count(*) FROM notifications WHERE dedupe_key = 'approve:test:1'), 1::bigint, 'one, however often');

SELECT * FROM finish();
ROLLBACK;
