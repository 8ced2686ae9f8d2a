-- Directives of the chairman (migration 0036): who records, reads and
-- follows them; each assigned agency's task; the office's counts, kept on
-- every write and folded with the clock when read.

-- The agency playing a part in the province (province_parts), as it is now.
CREATE OR REPLACE FUNCTION province_part(p_part text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT a.id FROM province_parts p JOIN agencies a ON a.code = p.agency_code AND a.valid_to IS NULL
     WHERE p.part = p_part
$$;

-- A tracker of the People's Committee office: records, reminds, confirms.
CREATE OR REPLACE FUNCTION directive_tracker(p_user bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(has_role(p_user, province_part('committee_office'), ARRAY['tracker']), false)
$$;

-- Reads every directive with its whole trail: the office's trackers and
-- leaders, the chairman and the vice-chairmen.
CREATE OR REPLACE FUNCTION directive_reader(p_user bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM memberships m
                     JOIN agencies a ON a.id = m.agency_id AND a.valid_to IS NULL
                     JOIN province_parts p ON p.agency_code = a.code
                    WHERE m.user_id = p_user
                      AND ((p.part = 'committee_office' AND ('tracker' = ANY (m.roles)
                                                             OR m.position IN ('leader', 'deputy_leader')))
                           OR (p.part = 'committee' AND m.position IN ('leader', 'deputy_leader'))))
$$;

-- The figures are read by the office and the committee's leaders, or this
-- raises forbidden.
CREATE OR REPLACE FUNCTION directive_figures_reader(p_user bigint) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT directive_reader(p_user) THEN
        PERFORM problem_raise('forbidden', 'the figures are read by the People''s Committee office and its leaders',
                              'số liệu theo dõi chỉ đạo do Văn phòng UBND tỉnh và lãnh đạo UBND tỉnh xem');
    END IF;
END $$;

-- The count bucket of an agency's directive task: its state (a fact time
-- does not change) and its deadline's local day.
CREATE OR REPLACE FUNCTION directive_bucket(t tasks, OUT o_state text, OUT o_day date)
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN t.finished_at IS NOT NULL THEN
                     CASE WHEN t.deadline IS NULL OR t.reported_at < t.deadline THEN 'done_on_time' ELSE 'done_late' END
                WHEN t.reported_at IS NOT NULL THEN 'reported' ELSE 'open' END,
           coalesce(api_deadline_date(t.deadline), DATE '9999-12-31')
$$;

-- Keeps directive_counts: an agency's task of a directive moves from its
-- old bucket to its new one in the same transaction as the change.
CREATE OR REPLACE FUNCTION directive_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s_old text; d_old date; s_new text; d_new date;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.directive_id IS NOT NULL AND OLD.parent_id IS NULL AND OLD.user_id IS NULL
       AND OLD.active THEN
        SELECT o_state, o_day INTO s_old, d_old FROM directive_bucket(OLD);
    END IF;
    IF NEW.directive_id IS NOT NULL AND NEW.parent_id IS NULL AND NEW.user_id IS NULL AND NEW.active THEN
        SELECT o_state, o_day INTO s_new, d_new FROM directive_bucket(NEW);
    END IF;
    IF s_old IS NOT DISTINCT FROM s_new AND d_old IS NOT DISTINCT FROM d_new
       AND (TG_OP = 'UPDATE' OR s_new IS NULL) THEN
        RETURN NULL;                   -- the same bucket: nothing moves
    END IF;
    IF s_old IS NOT NULL THEN
        UPDATE directive_counts c SET n = c.n - 1
         WHERE c.agency_id = OLD.agency_id AND c.state = s_old AND c.deadline_day = d_old;
        UPDATE directive_counts_month c SET n = c.n - 1
         WHERE c.agency_id = OLD.agency_id AND c.state = s_old AND c.deadline_month = date_trunc('month', d_old)::date;
    END IF;
    -- the kept figures are stale from this commit on
    UPDATE directive_counts_state SET version = version + 1;
    IF s_new IS NOT NULL THEN
        INSERT INTO directive_counts AS c (agency_id, state, deadline_day, n)
        VALUES (NEW.agency_id, s_new, d_new, 1)
        ON CONFLICT (agency_id, deadline_day, state) DO UPDATE SET n = c.n + 1;
        INSERT INTO directive_counts_month AS c (agency_id, state, deadline_month, n)
        VALUES (NEW.agency_id, s_new, date_trunc('month', d_new)::date, 1)
        ON CONFLICT (agency_id, deadline_month, state) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END $$;

-- Records a directive (f: title, content, directed_by, source, document_id,
-- meeting, priority, agencies [{agency_code, role lead | coordinate,
-- deadline | deadline_working_days}], one lead): each agency gets its task,
-- in its clerks' and leaders' inboxes. The directive's id.
CREATE OR REPLACE FUNCTION directive_create(p_user bigint, f jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_id bigint; v_office bigint := province_part('committee_office'); h jsonb; v_agency bigint;
        v_lead bigint; v_task bigint; v_deadline timestamptz; v_at text; v_seen bigint[] := '{}';
BEGIN
    IF NOT directive_tracker(p_user) THEN
        PERFORM problem_raise('forbidden', 'directives are recorded by a tracker of the People''s Committee office',
                              'chỉ đạo do người theo dõi nhiệm vụ của Văn phòng UBND tỉnh ghi nhận');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = (f->>'directed_by')::bigint
                      AND m.agency_id = province_part('committee') AND m.position IN ('leader', 'deputy_leader')) THEN
        PERFORM problem_raise('invalid-value', 'directed_by is the chairman or a vice-chairman of the People''s Committee',
                              'directed_by phải là Chủ tịch hoặc Phó Chủ tịch UBND tỉnh', '/directed_by');
    END IF;
    IF (f->>'source' = 'document') <> (f->>'document_id' IS NOT NULL) THEN
        PERFORM problem_raise('invalid-value', 'a directive from a document names its document_id, and only then',
                              'chỉ đạo từ văn bản phải nêu document_id, và chỉ khi đó', '/document_id');
    END IF;
    IF (f->>'source' = 'meeting') <> (f->>'meeting' IS NOT NULL) THEN
        PERFORM problem_raise('invalid-value', 'a directive from a meeting names its conclusion (meeting), and only then',
                              'chỉ đạo từ cuộc họp phải nêu thông báo kết luận (meeting), và chỉ khi đó', '/meeting');
    END IF;
    IF (SELECT count(*) FROM jsonb_array_elements(f->'agencies') x WHERE x->>'role' = 'lead') <> 1 THEN
        PERFORM problem_raise('invalid-value', 'exactly one agency leads (role lead); the others coordinate',
                              'cần đúng một cơ quan chủ trì (role lead); các cơ quan khác phối hợp', '/agencies');
    END IF;
    IF f->>'document_id' IS NOT NULL AND NOT doc_visible(p_user, (f->>'document_id')::bigint) THEN
        PERFORM problem_raise('document-not-found', 'no such document', 'không có văn bản này', '/document_id');
    END IF;
    INSERT INTO directives (title, content, directed_by, source, document_id, meeting, priority, recorded_by, recorded_at)
    VALUES (f->>'title', f->>'content', (f->>'directed_by')::bigint, f->>'source', (f->>'document_id')::bigint,
            f->>'meeting', coalesce(f->>'priority', 'normal'), p_user, qlvb_now())
    RETURNING id INTO v_id;
    -- the lead first: the others' tasks name its
    FOR h, v_at IN SELECT x, format('/agencies/%s', o - 1) FROM jsonb_array_elements(f->'agencies') WITH ORDINALITY y(x, o)
                    ORDER BY x->>'role' <> 'lead', o LOOP
        SELECT id INTO v_agency FROM agencies WHERE code = h->>'agency_code' AND valid_to IS NULL;
        IF v_agency IS NULL THEN
            PERFORM problem_raise('invalid-value', format('no open agency has code %s', h->>'agency_code'),
                                  format('không có cơ quan đang hoạt động mang mã %s', h->>'agency_code'),
                                  v_at || '/agency_code');
        END IF;
        IF v_agency = ANY (v_seen) THEN
            PERFORM problem_raise('person-named-twice', format('agency %s is named twice', h->>'agency_code'),
                                  format('cơ quan %s được nêu hai lần', h->>'agency_code'), v_at || '/agency_code');
        END IF;
        v_seen := v_seen || v_agency;
        v_deadline := task_deadline_of(h, v_at);
        INSERT INTO tasks (source, directive_id, document_id, title, content, user_id, agency_id, role, deadline,
                           assigned_by, assigner_agency_id, lead_task_id, priority, confirm_required, created_at)
        VALUES ('directive', v_id, (f->>'document_id')::bigint, f->>'title', f->>'content', NULL, v_agency,
                CASE WHEN h->>'role' = 'lead' THEN 'main' ELSE 'coordinate' END, v_deadline, p_user, v_office, v_lead,
                coalesce(f->>'priority', 'normal'), true, qlvb_now())
        RETURNING id INTO v_task;
        v_lead := coalesce(v_lead, v_task);
        PERFORM task_log(v_task, p_user, 'created', NULL, NULL, v_deadline);
        PERFORM task_inbox_put((SELECT t FROM tasks t WHERE t.id = v_task), 'directive');
    END LOOP;
    RETURN v_id;
END $$;

-- Sees the directive: its readers (the office, the chairman), and the clerks
-- and leaders of an agency it was assigned to (their own part).
CREATE OR REPLACE FUNCTION directive_visible(p_user bigint, p_directive bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT directive_reader(p_user)
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.directive_id = p_directive AND t.parent_id IS NULL AND task_holds(p_user, t))
$$;

-- A clerk or a leader of an assigned agency reads it: the office sees when
-- each agency first did.
CREATE OR REPLACE FUNCTION directive_opened_by(p_user bigint, p_directive bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO directive_opened (task_id, user_id, opened_at)
    SELECT t.id, p_user, qlvb_now() FROM tasks t
     WHERE t.directive_id = p_directive AND t.parent_id IS NULL AND t.user_id IS NULL AND task_holds(p_user, t)
    ON CONFLICT (task_id) DO NOTHING;
$$;

-- An agency's part of a directive: its task as a list shows it, when it
-- first opened it, its reminders, and the tasks it made of it (the whole
-- tree below, each with its status).
CREATE OR REPLACE FUNCTION directive_part_json(t tasks, p_now timestamptz) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT task_item_json(t, p_now) || jsonb_build_object(
        'opened_at', (SELECT api_time(o.opened_at) FROM directive_opened o WHERE o.task_id = t.id),
        'reminders', coalesce((SELECT jsonb_agg(jsonb_build_object('sent_at', api_time(r.sent_at), 'note', r.note,
                                                                   'sent_by', r.sent_by) ORDER BY r.id)
                                 FROM directive_reminders r WHERE r.task_id = t.id), '[]'),
        'events', coalesce((SELECT jsonb_agg(jsonb_build_object('action', e.action, 'user_id', e.user_id,
                                                                'percent', e.percent, 'note', e.note,
                                                                'at', api_time(e.at)) ORDER BY e.id)
                              FROM task_events e WHERE e.task_id = t.id), '[]'),
        'subtasks', coalesce((WITH RECURSIVE below AS (
                                  SELECT s.* FROM tasks s WHERE s.parent_id = t.id AND s.active
                                  UNION ALL
                                  SELECT s.* FROM tasks s JOIN below b ON s.parent_id = b.id WHERE s.active)
                              SELECT jsonb_agg(task_item_json(b, p_now) || jsonb_build_object('parent_id', b.parent_id)
                                               ORDER BY b.id) FROM below b), '[]'))
$$;

-- A directive as its list shows it: what, who directed, and the state of
-- its lead agency's part now.
CREATE OR REPLACE FUNCTION directive_item_json(p_user bigint, d directives, p_now timestamptz) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'title', d.title, 'priority', d.priority, 'source', d.source,
        'document_id', d.document_id, 'meeting', d.meeting,
        'directed_by', jsonb_build_object('user_id', d.directed_by, 'name', (SELECT full_name FROM users WHERE id = d.directed_by)),
        'recorded_at', api_time(d.recorded_at),
        'agencies', (SELECT jsonb_agg(jsonb_build_object(
                                'agency_code', a.code, 'agency_name', a.name, 'role', t.role, 'task_id', t.id,
                                'deadline', api_time(t.deadline), 'deadline_date', api_deadline_date(t.deadline),
                                'status', task_status(t, p_now),
                                'awaiting_confirmation', t.reported_at IS NOT NULL AND t.finished_at IS NULL,
                                'days_late', CASE WHEN task_status(t, p_now) = 'overdue'
                                                  THEN local_day(p_now) - api_deadline_date(t.deadline) ELSE 0 END)
                            ORDER BY t.role <> 'main', a.code)
                       FROM tasks t JOIN agencies a ON a.id = t.agency_id
                      WHERE t.directive_id = d.id AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
                        -- an agency sees its own part; the office and the chairman all
                        AND (directive_reader(p_user) OR task_holds(p_user, t))))
$$;

CREATE OR REPLACE FUNCTION directive_json(p_user bigint, p_directive bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT directive_item_json(p_user, d, qlvb_now()) || jsonb_build_object(
        'content', d.content,
        'recorded_by', jsonb_build_object('user_id', d.recorded_by, 'name', (SELECT full_name FROM users WHERE id = d.recorded_by)),
        'parts', (SELECT jsonb_agg(directive_part_json(t, qlvb_now()) ORDER BY t.role <> 'main', t.id)
                    FROM tasks t WHERE t.directive_id = d.id AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
                     AND (directive_reader(p_user) OR task_holds(p_user, t))))
      FROM directives d WHERE d.id = p_directive AND directive_visible(p_user, d.id)
$$;

-- The directives the user sees, newest first (p_order 'newest') or the most
-- overdue first ('overdue': by the days late of their most late agency),
-- after the cursor (newest: a directive id; overdue: an offset).
CREATE OR REPLACE FUNCTION directive_list(p_user bigint, p_order text, p_after bigint, p_limit integer)
    RETURNS SETOF jsonb LANGUAGE sql STABLE AS $$
    WITH seen AS (
        SELECT d.* FROM directives d
         WHERE directive_reader(p_user)
            OR EXISTS (SELECT 1 FROM tasks t WHERE t.directive_id = d.id AND t.parent_id IS NULL AND t.user_id IS NULL
                          AND t.active AND task_holds(p_user, t))),
    ranked AS (
        SELECT s.id, (SELECT max(CASE WHEN t.finished_at IS NULL AND t.deadline <= qlvb_now()
                                     THEN local_day(qlvb_now()) - api_deadline_date(t.deadline) END)
                       FROM tasks t WHERE t.directive_id = s.id AND t.parent_id IS NULL AND t.user_id IS NULL
                        AND t.active AND (directive_reader(p_user) OR task_holds(p_user, t))) AS late
          FROM seen s)
    SELECT directive_item_json(p_user, d, qlvb_now()) || jsonb_build_object('days_late', coalesce(r.late, 0))
      FROM ranked r JOIN directives d ON d.id = r.id
     WHERE p_order <> 'newest' OR p_after IS NULL OR r.id < p_after
     ORDER BY CASE WHEN p_order = 'overdue' THEN coalesce(r.late, -1) END DESC NULLS LAST, r.id DESC
    OFFSET CASE WHEN p_order = 'overdue' THEN coalesce(p_after, 0) ELSE 0 END
     LIMIT p_limit
$$;

-- The office reminds an agency (đôn đốc): its clerks and leaders find it in
-- their inboxes.
CREATE OR REPLACE FUNCTION directive_remind(p_user bigint, p_directive bigint, p_agency_code text, p_note text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks;
BEGIN
    IF NOT directive_tracker(p_user) THEN
        PERFORM problem_raise('forbidden', 'reminders are sent by a tracker of the People''s Committee office',
                              'việc đôn đốc do người theo dõi nhiệm vụ của Văn phòng UBND tỉnh thực hiện');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM directives WHERE id = p_directive) THEN
        PERFORM problem_raise('directive-not-found', 'no such directive', 'không có chỉ đạo này');
    END IF;
    SELECT x.* INTO t FROM tasks x JOIN agencies a ON a.id = x.agency_id
     WHERE x.directive_id = p_directive AND x.parent_id IS NULL AND x.user_id IS NULL AND x.active
       AND a.code = p_agency_code
       FOR UPDATE OF x;
    IF t.id IS NULL THEN
        PERFORM problem_raise('invalid-value', format('agency %s holds no part of this directive', p_agency_code),
                              format('cơ quan %s không được giao chỉ đạo này', p_agency_code), '/agency_code');
    END IF;
    IF t.finished_at IS NOT NULL THEN
        PERFORM problem_raise('task-closed', 'the agency''s part is done', 'phần việc của cơ quan đã hoàn thành');
    END IF;
    INSERT INTO directive_reminders (task_id, sent_by, note, sent_at) VALUES (t.id, p_user, p_note, qlvb_now());
    PERFORM task_inbox_put(t, 'reminder');
    UPDATE tasks SET version = version + 1 WHERE id = t.id;
END $$;

-- The kept answer for a period, while it holds (the counts unchanged, the
-- clock before its end), for a reader of the figures: one lookup.
CREATE OR REPLACE FUNCTION directive_stats_kept(p_user bigint, p_from date, p_to date) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT c.body FROM directive_stats_cache c JOIN directive_counts_state s ON s.version = c.version
     WHERE c.period_from = p_from AND c.period_to = p_to
       AND c.computed_at <= qlvb_now() AND qlvb_now() < c.until AND directive_reader(p_user)
$$;

-- The office's figures for the deadlines of a period (local days p_from to
-- p_to), per assigned agency and for the province, counting (directive,
-- agency) pairs, from directive_counts folded with the clock: an open or
-- reported pair whose deadline has passed is overdue, else in progress;
-- today's deadlines are read from their tasks (the only ones whose side of
-- the clock depends on the hour). The on-time rate is done on time over
-- those that fell due (done, or past their deadline).
CREATE OR REPLACE FUNCTION directive_stats(p_user bigint, p_from date, p_to date) RETURNS jsonb
    LANGUAGE plpgsql AS $$
DECLARE v_now timestamptz := qlvb_now(); v_today date := local_day(qlvb_now()); v jsonb; v_version bigint;
        v_until timestamptz;
BEGIN
    PERFORM directive_figures_reader(p_user);
    -- the figures, and the version of the counts they were made from, in one snapshot
    WITH months AS (    -- the months of the period (deadlines end by 2100: the calendar's years)
        SELECT m::date AS m0, (m + interval '1 month - 1 day')::date AS m1
          FROM generate_series(date_trunc('month', p_from), date_trunc('month', least(p_to, DATE '2100-12-31')),
                               interval '1 month') m),
    whole AS (          -- those wholly inside it, but the current one: read by month
        SELECT m0 FROM months WHERE m0 >= p_from AND m1 <= p_to AND m0 <> date_trunc('month', v_today)::date),
    by_day AS (         -- the rest of the period: read by day
        SELECT greatest(m0, p_from) AS d0, least(m1, p_to) AS d1 FROM months WHERE m0 NOT IN (SELECT m0 FROM whole)
        UNION ALL
        SELECT DATE '9999-12-31', DATE '9999-12-31' WHERE p_to >= DATE '9999-12-31'),
    folded AS (
        SELECT c.agency_id,
               CASE WHEN c.state IN ('done_on_time', 'done_late') THEN c.state
                    WHEN c.deadline_month < v_today THEN 'overdue'
                    ELSE 'in_progress' END AS status,
               c.state = 'reported' AS awaiting, c.n
          FROM directive_counts_month c JOIN whole w ON w.m0 = c.deadline_month
         WHERE c.n > 0
        UNION ALL
        SELECT c.agency_id,
               CASE WHEN c.state IN ('done_on_time', 'done_late') THEN c.state
                    WHEN c.deadline_day = DATE '9999-12-31' THEN 'no_deadline'
                    WHEN c.deadline_day < v_today THEN 'overdue'
                    ELSE 'in_progress' END AS status,
               c.state = 'reported' AS awaiting, c.n
          FROM by_day r JOIN directive_counts c ON c.deadline_day BETWEEN r.d0 AND r.d1
         WHERE c.n > 0 AND NOT (c.deadline_day = v_today AND c.state IN ('open', 'reported'))
        UNION ALL
        SELECT t.agency_id, CASE WHEN t.deadline <= v_now THEN 'overdue' ELSE 'in_progress' END,
               t.reported_at IS NOT NULL, 1
          FROM tasks t
         WHERE v_today BETWEEN p_from AND p_to
           AND t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
           AND t.finished_at IS NULL AND t.deadline > day_end(v_today - 1) - interval '1 millisecond'
           AND t.deadline <= day_end(v_today) AND api_deadline_date(t.deadline) = v_today),
    per AS (
        SELECT agency_id,
               sum(n)::bigint AS total,
               coalesce(sum(n) FILTER (WHERE status = 'in_progress'), 0)::bigint AS in_progress,
               coalesce(sum(n) FILTER (WHERE status = 'overdue'), 0)::bigint AS overdue,
               coalesce(sum(n) FILTER (WHERE status = 'done_on_time'), 0)::bigint AS done_on_time,
               coalesce(sum(n) FILTER (WHERE status = 'done_late'), 0)::bigint AS done_late,
               coalesce(sum(n) FILTER (WHERE status = 'no_deadline'), 0)::bigint AS no_deadline,
               coalesce(sum(n) FILTER (WHERE awaiting), 0)::bigint AS awaiting_confirmation
          FROM folded GROUP BY agency_id),
    shown AS (
        SELECT a.code, a.name, p.* FROM per p JOIN agencies a ON a.id = p.agency_id),
    province AS (
        SELECT coalesce(sum(total), 0)::bigint AS total, coalesce(sum(in_progress), 0)::bigint AS in_progress,
               coalesce(sum(overdue), 0)::bigint AS overdue, coalesce(sum(done_on_time), 0)::bigint AS done_on_time,
               coalesce(sum(done_late), 0)::bigint AS done_late, coalesce(sum(no_deadline), 0)::bigint AS no_deadline,
               coalesce(sum(awaiting_confirmation), 0)::bigint AS awaiting_confirmation FROM shown)
    SELECT jsonb_build_object(
        'from', p_from, 'to', p_to, 'as_of', api_time(v_now),
        'agencies', coalesce((SELECT jsonb_agg(directive_figures(s.total, s.in_progress, s.overdue, s.done_on_time,
                                                                 s.done_late, s.no_deadline, s.awaiting_confirmation)
                                               || jsonb_build_object('agency_code', s.code, 'agency_name', s.name)
                                               ORDER BY s.code) FROM shown s), '[]'),
        'province', (SELECT directive_figures(total, in_progress, overdue, done_on_time, done_late, no_deadline,
                                              awaiting_confirmation) FROM province)),
        (SELECT version FROM directive_counts_state),
        -- good until the day ends or a deadline of the day passes
        least(day_end(v_today), (SELECT min(t.deadline) FROM tasks t
                                  WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL
                                    AND t.active AND t.finished_at IS NULL
                                    AND t.deadline > v_now AND t.deadline <= day_end(v_today)))
      INTO v, v_version, v_until;
    v := v || jsonb_build_object('valid_until', api_time(v_until));
    INSERT INTO directive_stats_cache AS c (period_from, period_to, version, computed_at, until, body)
    VALUES (p_from, p_to, v_version, v_now, v_until, v::text)
    ON CONFLICT (period_from, period_to) DO UPDATE
       SET version = EXCLUDED.version, computed_at = EXCLUDED.computed_at, until = EXCLUDED.until, body = EXCLUDED.body;
    RETURN v;
END $$;

-- Counts with their on-time rate (done on time over those that fell due:
-- done, or past their deadline), or null when none fell due.
CREATE OR REPLACE FUNCTION directive_figures(p_total bigint, p_in_progress bigint, p_overdue bigint,
                                             p_on_time bigint, p_late bigint, p_none bigint, p_awaiting bigint)
    RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('total', p_total, 'in_progress', p_in_progress, 'overdue', p_overdue,
                              'done_on_time', p_on_time, 'done_late', p_late, 'no_deadline', p_none,
                              'awaiting_confirmation', p_awaiting, 'fell_due', p_on_time + p_late + p_overdue,
                              'on_time_rate', CASE WHEN p_on_time + p_late + p_overdue > 0
                                                   THEN round(p_on_time::numeric / (p_on_time + p_late + p_overdue), 4) END)
$$;

-- The overdue (directive, agency) pairs, most days late first.
CREATE OR REPLACE FUNCTION directive_overdue(p_user bigint, p_limit integer, p_offset integer) RETURNS SETOF jsonb
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM directive_figures_reader(p_user);
    RETURN QUERY
    SELECT jsonb_build_object('directive_id', d.id, 'title', d.title, 'priority', d.priority,
                              'agency_code', a.code, 'agency_name', a.name, 'role', t.role, 'task_id', t.id,
                              'deadline', api_time(t.deadline), 'deadline_date', api_deadline_date(t.deadline),
                              'days_late', local_day(qlvb_now()) - api_deadline_date(t.deadline),
                              'awaiting_confirmation', t.reported_at IS NOT NULL)
      FROM tasks t JOIN directives d ON d.id = t.directive_id JOIN agencies a ON a.id = t.agency_id
     WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
       AND t.finished_at IS NULL AND t.deadline <= qlvb_now()
     ORDER BY t.deadline, t.id
     LIMIT p_limit OFFSET p_offset;
END $$;

-- The lines of the export for the deadlines of a period: one per
-- (directive, agency) pair.
CREATE OR REPLACE FUNCTION directive_export_lines(p_user bigint, p_from date, p_to date)
    RETURNS TABLE (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text)
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM directive_figures_reader(p_user);
    RETURN QUERY
    SELECT d.id::text, d.title, (SELECT full_name FROM users WHERE id = d.directed_by), a.name,
           CASE t.role WHEN 'main' THEN 'Chủ trì' ELSE 'Phối hợp' END,
           to_char(api_deadline_date(t.deadline), 'DD/MM/YYYY'),
           CASE task_status(t, qlvb_now())
               WHEN 'in_progress' THEN 'Đang thực hiện trong hạn' WHEN 'overdue' THEN 'Quá hạn chưa hoàn thành'
               WHEN 'done_on_time' THEN 'Hoàn thành đúng hạn' WHEN 'done_late' THEN 'Hoàn thành quá hạn'
               WHEN 'no_deadline' THEN 'Không có hạn' ELSE 'Đã hủy' END
           || CASE WHEN t.reported_at IS NOT NULL AND t.finished_at IS NULL THEN ' (chờ xác nhận)' ELSE '' END,
           to_char(t.finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'),
           CASE WHEN task_status(t, qlvb_now()) = 'overdue'
                THEN (local_day(qlvb_now()) - api_deadline_date(t.deadline))::text END
      FROM tasks t JOIN directives d ON d.id = t.directive_id JOIN agencies a ON a.id = t.agency_id
     WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
       AND coalesce(api_deadline_date(t.deadline), DATE '9999-12-31') BETWEEN p_from AND p_to
     ORDER BY d.id, t.role <> 'main', a.code;
END $$;

-- The counts made again from the tasks in one pass: after a bulk load that
-- went round the trigger (make bench), or to mend them.
CREATE OR REPLACE FUNCTION directive_counts_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM directive_counts;
    DELETE FROM directive_counts_month;
    INSERT INTO directive_counts (agency_id, state, deadline_day, n)
    SELECT t.agency_id, b.o_state, b.o_day, count(*)
      FROM tasks t CROSS JOIN LATERAL directive_bucket(t) b
     WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active
     GROUP BY 1, 2, 3;
    INSERT INTO directive_counts_month (agency_id, state, deadline_month, n)
    SELECT agency_id, state, date_trunc('month', deadline_day)::date, sum(n)
      FROM directive_counts GROUP BY 1, 2, 3;
    UPDATE directive_counts_state SET version = version + 1;
$$;
