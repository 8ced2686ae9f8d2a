-- Notifications (migration 0038): written once per (person, what it is
-- about), in the transaction of the change that causes them or by the
-- sweep of deadline thresholds; the daemon is woken after the commit
-- (NOTIFY qlvb_notify). A person's feed follows commit order.

-- The generic text a push shows: never the document's subject unless the
-- person allows it (the phone fetches it with the deep link).
CREATE OR REPLACE FUNCTION notification_title(p_kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_kind
        WHEN 'task_due' THEN 'Nhiệm vụ sắp đến hạn'
        WHEN 'task_overdue' THEN 'Nhiệm vụ đã quá hạn'
        WHEN 'urgent_document' THEN 'Văn bản khẩn cần xử lý'
        WHEN 'draft_to_approve' THEN 'Văn bản cần duyệt'
        WHEN 'directive_assigned' THEN 'Chỉ đạo mới của lãnh đạo tỉnh'
        WHEN 'reminder' THEN 'Đôn đốc thực hiện chỉ đạo' END
$$;

-- Writes one notification unless it was written before (the key makes it
-- one), and wakes the daemon after the commit.
CREATE OR REPLACE FUNCTION notify(p_user bigint, p_kind text, p_key text, p_task bigint, p_doc bigint,
                                  p_directive bigint, p_urgent boolean, p_subject text, p_at timestamptz DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO notifications (user_id, kind, dedupe_key, task_id, document_id, directive_id, urgent, subject, created_at)
    SELECT p_user, p_kind, p_key, p_task, p_doc, p_directive, coalesce(p_urgent, false), p_subject,
           coalesce(p_at, qlvb_now())
     WHERE user_active(p_user)
    ON CONFLICT (user_id, dedupe_key) DO NOTHING;
    SELECT pg_notify('qlvb_notify', '');
$$;

-- What an item put in an inbox means to its person's phone: a draft to
-- approve or sign, an urgent document assigned (Khẩn and above).
CREATE OR REPLACE FUNCTION notify_document_item(p_user bigint, p_doc bigint, p_box text, p_reason text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents;
BEGIN
    IF p_reason IN ('head-review', 'leader-review', 'sign') THEN
        SELECT * INTO d FROM documents WHERE id = p_doc;
        PERFORM notify(p_user, 'draft_to_approve', format('approve:%s:%s:%s', p_doc, d.version, p_reason), NULL, p_doc,
                       NULL, d.urgency > 0, d.subject);
    ELSIF p_reason IN ('main', 'coordinate', 'present', 'register') THEN
        SELECT * INTO d FROM documents WHERE id = p_doc;
        IF d.urgency > 0 THEN
            PERFORM notify(p_user, 'urgent_document', format('urgent:%s:%s:%s', p_doc, p_reason, d.version), NULL,
                           p_doc, NULL, true, d.subject);
        END IF;
    END IF;
END $$;

-- What a task's item means: a directive assigned to the agency, a reminder
-- from the office (each reminder is its own).
CREATE OR REPLACE FUNCTION notify_task_item(p_user bigint, p_task bigint, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks;
BEGIN
    IF p_reason NOT IN ('directive', 'reminder') THEN
        RETURN;
    END IF;
    SELECT * INTO t FROM tasks WHERE id = p_task;
    IF p_reason = 'directive' THEN
        PERFORM notify(p_user, 'directive_assigned', format('directive:%s', p_task), p_task, NULL, t.directive_id,
                       t.priority = 'urgent', t.title);
    ELSE
        PERFORM notify(p_user, 'reminder', format('reminder:%s', (SELECT max(id) FROM directive_reminders WHERE task_id = p_task)),
                       p_task, NULL, t.directive_id, t.priority = 'urgent', t.title);
    END IF;
END $$;

-- The N-th working day before p_day (0: p_day itself).
CREATE OR REPLACE FUNCTION working_day_before(p_day date, p_n integer) RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE v_day date := p_day; v_left integer := p_n;
BEGIN
    WHILE v_left > 0 LOOP
        v_day := v_day - 1;
        IF is_working_day(v_day) THEN
            v_left := v_left - 1;
        END IF;
    END LOOP;
    RETURN v_day;
END $$;

-- The holders of a task to warn: its person, or its agency's clerks and
-- leaders.
CREATE OR REPLACE FUNCTION task_holders(t tasks) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT t.user_id WHERE t.user_id IS NOT NULL
    UNION
    SELECT m.user_id FROM memberships m
     WHERE t.user_id IS NULL AND m.agency_id = t.agency_id AND user_active(m.user_id)
       AND ('clerk' = ANY (m.roles) OR m.position IN ('leader', 'deputy_leader'))
$$;

-- The sweep: every open task whose deadline crosses a threshold by p_now
-- gets one warning per (task, threshold, person): N working days before
-- the deadline's day at the threshold's hour, and every working day while
-- overdue at 08:00 (each day its own). A threshold passed while the sweep
-- did not run is written when it runs again, unless a later one of the
-- same task has passed too (only the latest is worth a warning). At most
-- p_tasks tasks a call, so that however large a burst (a day's 08:00 over
-- a province) a call ends well within the statement timeout: the number
-- of tasks it warned, and the caller calls again while that is not 0.
-- p_write false: the tasks are marked as warned and nothing is written
-- (tasks loaded from an older system, whose holders need no flood of what
-- passed before).
CREATE OR REPLACE FUNCTION notify_sweep(p_now timestamptz, p_write boolean DEFAULT true, p_tasks integer DEFAULT 200)
    RETURNS integer
    LANGUAGE plpgsql SET jit = off AS $$   -- its reads are by index: compiling their plans costs more than running them
DECLARE v_today date := local_day(p_now); v_done integer := 0; n integer;
        v_ids bigint[]; v_ranks integer[]; v_codes text[]; v_days date[];
BEGIN
    -- before the deadline: for each deadline day of the window, the latest
    -- threshold that has fired; a task of that day is warned of it unless
    -- it was warned of it (or a later one) already, or was made after the
    -- moment it fired (then the earlier ones fired before it too). Read by the index
    -- of the open tasks' deadlines and ranks (migration 0048), a day's
    -- deadlines as the range api_deadline_date puts on it: only the tasks
    -- with something new to say
    WITH th AS (
        SELECT g::date AS dday, h.code, h.working_days,
               (working_day_before(g::date, h.working_days)::timestamp + h.at_local) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS fire_at
          FROM generate_series(v_today, working_day_after(v_today, 31), interval '1 day') g CROSS JOIN notify_thresholds h),
    fired AS (
        SELECT DISTINCT ON (th.dday) th.* FROM th WHERE th.fire_at <= p_now ORDER BY th.dday, th.working_days)
    SELECT array_agg(q.id), array_agg(q.working_days), array_agg(q.code), array_agg(q.dday)
      INTO v_ids, v_ranks, v_codes, v_days
      FROM (SELECT x.id, f.working_days, f.code, f.dday FROM fired f CROSS JOIN LATERAL (
          SELECT t.id FROM tasks t
           WHERE t.deadline >= (f.dday::timestamp + interval '1 millisecond') AT TIME ZONE INTERVAL '+07:00'
             AND t.deadline < ((f.dday + 1)::timestamp + interval '1 millisecond') AT TIME ZONE INTERVAL '+07:00'
             AND api_deadline_date(t.deadline) = f.dday AND t.active AND t.finished_at IS NULL
             AND t.reported_at IS NULL AND t.warned_rank > f.working_days
             AND t.deadline > p_now AND t.created_at <= f.fire_at
          OFFSET 0) x                  -- a day at a time (not flattened into one scan of the window)
          LIMIT p_tasks) q;
    v_done := coalesce(cardinality(v_ids), 0);
    -- marked, then warned, each as it is now (a change, or another
    -- daemon's sweep, committed since it was read), from the row marked
    WITH marked AS (
        UPDATE tasks t SET warned_rank = c.rank
          FROM unnest(v_ids, v_ranks, v_codes, v_days) c(id, rank, code, dday)
         WHERE t.id = c.id AND t.active AND t.finished_at IS NULL AND t.reported_at IS NULL AND t.warned_rank > c.rank
        RETURNING t AS task, c.code, c.dday)
    SELECT count(*) INTO n FROM (
        SELECT notify(u, 'task_due', format('task:%s:%s:%s', (m.task).id, m.code, m.dday), (m.task).id,
                      (m.task).document_id, (m.task).directive_id, (m.task).priority = 'urgent', task_title(m.task))
          FROM marked m CROSS JOIN LATERAL task_holders(m.task) u WHERE p_write) x;
    -- overdue: one a working day, from 08:00; only the tasks not yet warned today
    IF v_done < p_tasks AND is_working_day(v_today)
       AND p_now >= (v_today::timestamp + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' THEN
        WITH od AS (
            UPDATE tasks t SET warned_overdue_on = v_today
             WHERE t.id IN (SELECT x.id FROM tasks x
                             WHERE x.active AND x.finished_at IS NULL AND x.deadline IS NOT NULL
                               AND x.warned_overdue_on IS NULL AND x.deadline <= p_now AND x.reported_at IS NULL
                            UNION ALL
                            SELECT x.id FROM tasks x
                             WHERE x.active AND x.finished_at IS NULL AND x.warned_overdue_on IS NOT NULL
                               AND x.warned_overdue_on < v_today AND x.deadline <= p_now AND x.reported_at IS NULL
                            LIMIT p_tasks - v_done)
               AND t.active AND t.finished_at IS NULL AND t.reported_at IS NULL          -- as it is now
               AND (t.warned_overdue_on IS NULL OR t.warned_overdue_on < v_today)
            RETURNING t AS task),
        written AS (
            SELECT notify(u, 'task_overdue', format('overdue:%s:%s', (od.task).id, v_today), (od.task).id,
                          (od.task).document_id, (od.task).directive_id, (od.task).priority = 'urgent',
                          task_title(od.task))
              FROM od CROSS JOIN LATERAL task_holders(od.task) u WHERE p_write)
        SELECT v_done + (SELECT count(*) FROM od), (SELECT count(*) FROM written) INTO v_done, n;
    END IF;
    RETURN v_done;
END $$;

-- At commit (deferred): the notifications this transaction wrote or marked
-- take their person's next version, in user id order; the first call of a
-- commit does them all.
CREATE OR REPLACE FUNCTION notifications_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_user bigint; v_version bigint;
BEGIN
    IF coalesce(current_setting('qlvb.notices_stamped', true), '') = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('qlvb.notices_stamped', 'yes', true);
    FOR v_user IN SELECT DISTINCT user_id FROM notifications
                   WHERE version IS NULL AND xid = pg_current_xact_id() ORDER BY 1 LOOP
        UPDATE users SET notice_version = notice_version + 1 WHERE id = v_user RETURNING notice_version INTO v_version;
        UPDATE notifications SET version = v_version
         WHERE user_id = v_user AND version IS NULL AND xid = pg_current_xact_id();
    END LOOP;
    RETURN NULL;
END $$;

-- A phone push may reach at p_now: its provider did not say its token is
-- gone, and the sign-in that registered it is still in use.
CREATE OR REPLACE FUNCTION device_live(d devices, p_now timestamptz) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT d.disabled_at IS NULL AND session_live(d.session_id, p_now)
$$;

-- A login that ends takes its phone's registration with it.
CREATE OR REPLACE FUNCTION sessions_end_devices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM devices WHERE session_id = NEW.id;
    RETURN NULL;
END $$;

-- A notification as the history shows it.
CREATE OR REPLACE FUNCTION notification_json(n notifications, p_show_subject boolean) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', n.id, 'kind', n.kind, 'title', notification_title(n.kind),
                              'subject', CASE WHEN p_show_subject THEN n.subject END,
                              'task_id', n.task_id, 'document_id', n.document_id, 'directive_id', n.directive_id,
                              'urgent', n.urgent, 'created_at', api_time(n.created_at),
                              'read', n.read_at IS NOT NULL, 'read_at', api_time(n.read_at))
$$;

-- The notification feed's token: opaque; the person and the version.
CREATE OR REPLACE FUNCTION notice_token(p_user bigint, p_version bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT rtrim(translate(encode(convert_to('n1:' || p_user || ':' || p_version, 'UTF8'), 'base64'), E'+/\n', '-_'), '=')
$$;

-- The changes of a person's notifications since a token (NULL: a token for
-- now), at most p_limit, whole commits; NULL when the token is not one of
-- this person's.
CREATE OR REPLACE FUNCTION notifications_since(p_user bigint, p_token text, p_limit integer) RETURNS jsonb
    LANGUAGE plpgsql STABLE AS $$
DECLARE v_parts text[]; v_from bigint; v_upto bigint; v_more boolean; v_show boolean; u users;
BEGIN
    SELECT * INTO u FROM users WHERE id = p_user;
    SELECT coalesce((SELECT show_subject FROM notification_settings WHERE user_id = p_user), false) INTO v_show;
    IF p_token IS NULL THEN
        RETURN jsonb_build_object('changed', '[]'::jsonb, 'has_more', false, 'next', notice_token(p_user, u.notice_version));
    END IF;
    v_parts := token_parts(p_token);
    IF coalesce(array_length(v_parts, 1), 0) <> 3 OR v_parts[1] <> 'n1' OR v_parts[2] <> p_user::text
       OR v_parts[3] !~ '^[0-9]{1,18}$' OR v_parts[3]::bigint > u.notice_version THEN
        RETURN NULL;
    END IF;
    v_from := v_parts[3]::bigint;
    SELECT max(x.version), count(*) > p_limit INTO v_upto, v_more
      FROM (SELECT version FROM notifications WHERE user_id = p_user AND version > v_from
             ORDER BY version LIMIT p_limit + 1) x;
    IF v_more THEN
        SELECT max(version) INTO v_upto FROM (SELECT version FROM notifications WHERE user_id = p_user AND version > v_from
                                                ORDER BY version LIMIT p_limit) y;
    END IF;
    RETURN jsonb_build_object(
        'changed', coalesce((SELECT jsonb_agg(notification_json(n, v_show) ORDER BY n.version, n.id) FROM notifications n
                              WHERE n.user_id = p_user AND n.version > v_from AND n.version <= coalesce(v_upto, v_from)), '[]'),
        'has_more', v_more,
        'next', notice_token(p_user, CASE WHEN v_more THEN v_upto ELSE u.notice_version END));
END $$;

CREATE OR REPLACE FUNCTION device_json(d devices) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('device_id', d.device_id, 'platform', d.platform, 'app_version', d.app_version,
                              'locale', d.locale, 'disabled', d.disabled_at IS NOT NULL,
                              'created_at', api_time(d.created_at), 'updated_at', api_time(d.updated_at))
$$;

-- Registers a phone's push token for the login the app runs under (f:
-- platform, token, app_version, locale); a token another account held on
-- the same phone leaves that account.
CREATE OR REPLACE FUNCTION device_put(p_user bigint, p_session bigint, p_device text, f jsonb) RETURNS jsonb
    LANGUAGE plpgsql AS $$
DECLARE d devices;
BEGIN
    IF p_device !~ '^[A-Za-z0-9._:-]{1,100}$' THEN
        PERFORM problem_raise('invalid-value', 'device_id is 1 to 100 letters, digits and . _ : -',
                              'device_id gồm 1 đến 100 chữ cái, chữ số và . _ : -');
    END IF;
    IF f->>'token' !~ '^[A-Za-z0-9._:+-]+$' THEN
        PERFORM problem_raise('invalid-value', 'a push token is letters, digits and . _ : + -',
                              'mã thiết bị nhận thông báo chỉ gồm chữ cái, chữ số và . _ : + -', '/token');
    END IF;
    DELETE FROM devices WHERE token = f->>'token' AND NOT (user_id = p_user AND device_id = p_device);
    INSERT INTO devices (user_id, device_id, session_id, platform, token, app_version, locale, created_at, updated_at)
    VALUES (p_user, p_device, p_session, f->>'platform', f->>'token', f->>'app_version', f->>'locale',
            qlvb_now(), qlvb_now())
    ON CONFLICT (user_id, device_id) DO UPDATE
       SET session_id = EXCLUDED.session_id, platform = EXCLUDED.platform, token = EXCLUDED.token,
           app_version = EXCLUDED.app_version, locale = EXCLUDED.locale, disabled_at = NULL, disabled_why = NULL,
           updated_at = EXCLUDED.updated_at
    RETURNING * INTO d;
    RETURN device_json(d);
END $$;

CREATE OR REPLACE FUNCTION notification_settings_json(p_user bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('quiet_start', to_char(coalesce(s.quiet_start, time '22:00'), 'HH24:MI'),
                              'quiet_end', to_char(coalesce(s.quiet_end, time '06:30'), 'HH24:MI'),
                              'show_subject', coalesce(s.show_subject, false))
      FROM (SELECT 1) one LEFT JOIN notification_settings s ON s.user_id = p_user
$$;

-- Sets a person's quiet hours (HH:MM, local; equal start and end: none) and
-- whether subjects may show on the lock screen.
CREATE OR REPLACE FUNCTION notification_settings_put(p_user bigint, f jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY ARRAY['quiet_start', 'quiet_end'] LOOP
        IF f->>k IS NOT NULL AND f->>k !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
            PERFORM problem_raise('invalid-value', format('%s is a local time HH:MM', k),
                                  format('%s là giờ địa phương dạng HH:MM', k), '/' || k);
        END IF;
    END LOOP;
    INSERT INTO notification_settings AS s (user_id, quiet_start, quiet_end, show_subject, updated_at)
    VALUES (p_user, coalesce((f->>'quiet_start')::time, '22:00'), coalesce((f->>'quiet_end')::time, '06:30'),
            coalesce((f->>'show_subject')::boolean, false), qlvb_now())
    ON CONFLICT (user_id) DO UPDATE
       SET quiet_start = coalesce((f->>'quiet_start')::time, s.quiet_start),
           quiet_end = coalesce((f->>'quiet_end')::time, s.quiet_end),
           show_subject = coalesce((f->>'show_subject')::boolean, s.show_subject), updated_at = qlvb_now();
    RETURN notification_settings_json(p_user);
END $$;

-- A page of a person's history, newest first, after the cursor (an id), with
-- how many are unread.
CREATE OR REPLACE FUNCTION notifications_page(p_user bigint, p_after bigint, p_limit integer) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    WITH s AS (SELECT coalesce((SELECT show_subject FROM notification_settings WHERE user_id = p_user), false) AS show),
         p AS (SELECT n.* FROM notifications n WHERE n.user_id = p_user AND (p_after IS NULL OR n.id < p_after)
                ORDER BY n.id DESC LIMIT p_limit + 1)
    SELECT jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(notification_json(x, (SELECT show FROM s)) ORDER BY x.id DESC)
                             FROM (SELECT * FROM p ORDER BY id DESC LIMIT p_limit) x), '[]'),
        'unread', (SELECT count(*) FROM notifications WHERE user_id = p_user AND read_at IS NULL),
        'next_cursor', CASE WHEN (SELECT count(*) FROM p) > p_limit
                            THEN cursor_id((SELECT min(id) FROM (SELECT id FROM p ORDER BY id DESC LIMIT p_limit) y)) END)
$$;

-- Marks one of a person's notifications read (again: no change); its other
-- phones learn it through the feed and a silent push (not the phone of the
-- session that marked it). NULL when there is no such one.
CREATE OR REPLACE FUNCTION notification_read(p_user bigint, p_session bigint, p_id bigint) RETURNS jsonb
    LANGUAGE plpgsql AS $$
DECLARE n notifications; v_msg bigint;
BEGIN
    UPDATE notifications SET read_at = qlvb_now(), version = NULL, xid = pg_current_xact_id()
     WHERE id = p_id AND user_id = p_user AND read_at IS NULL RETURNING * INTO n;
    IF n.id IS NOT NULL AND EXISTS (SELECT 1 FROM devices d
                                     WHERE d.user_id = p_user AND device_live(d, qlvb_now())
                                       AND d.session_id <> p_session) THEN
        INSERT INTO push_messages (user_id, members, urgent, silent) VALUES (p_user, ARRAY[n.id], false, true)
        RETURNING id INTO v_msg;
        INSERT INTO push_sends (message_id, user_id, device_id)
        SELECT v_msg, d.user_id, d.device_id FROM devices d
         WHERE d.user_id = p_user AND device_live(d, qlvb_now()) AND d.session_id <> p_session;
        PERFORM pg_notify('qlvb_notify', '');
    END IF;
    IF n.id IS NULL THEN
        SELECT * INTO n FROM notifications WHERE id = p_id AND user_id = p_user;
    END IF;
    IF n.id IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN notification_json(n, coalesce((SELECT show_subject FROM notification_settings WHERE user_id = p_user), false));
END $$;

-- Whether a moment falls in a person's quiet hours (local time; equal ends:
-- none; hours that run past midnight wrap).
CREATE OR REPLACE FUNCTION in_quiet_hours(p_user bigint, p_at timestamptz) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN s.qs = s.qe THEN false
                WHEN s.qs < s.qe THEN t >= s.qs AND t < s.qe
                ELSE t >= s.qs OR t < s.qe END
      FROM (SELECT coalesce((SELECT quiet_start FROM notification_settings WHERE user_id = p_user), time '22:00') AS qs,
                   coalesce((SELECT quiet_end FROM notification_settings WHERE user_id = p_user), time '06:30') AS qe,
                   (p_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::time AS t) s
$$;

-- Packs the pending notifications into messages at p_now (the one clock):
-- per person, those not held by the quiet hours (urgent ones never are)
-- become one message, a group when there are several, with a send to each
-- of the person's phones; a person with no phone has the history only.
-- Notifications another daemon is packing are skipped. How many it took
-- (packed, or left to the history): 0 when nothing more waits now.
CREATE OR REPLACE FUNCTION notify_pack(p_now timestamptz, p_people integer DEFAULT 200) RETURNS integer
    LANGUAGE plpgsql SET jit = off AS $$
DECLARE r record; v_msg bigint; v_count integer := 0;
BEGIN
    -- a batch of people at a time (however large a burst, a call ends well
    -- within the statement timeout, and the daemon calls again): those with
    -- something to send now, each with what waits for them, a group naming
    -- at most 50 (a push stays within 4 KB)
    FOR r IN
        WITH who AS (
            SELECT p.user_id, in_quiet_hours(p.user_id, p_now) AS quiet
              FROM (SELECT DISTINCT n.user_id FROM notifications n WHERE n.push_state = 'pending') p
             WHERE NOT in_quiet_hours(p.user_id, p_now)
                OR EXISTS (SELECT 1 FROM notifications u WHERE u.user_id = p.user_id AND u.push_state = 'pending' AND u.urgent)
             ORDER BY p.user_id LIMIT p_people),
        cand AS (
            SELECT c.id, c.user_id, c.urgent FROM who w CROSS JOIN LATERAL (
                SELECT n.id, n.user_id, n.urgent FROM notifications n
                 WHERE n.user_id = w.user_id AND n.push_state = 'pending' AND (n.urgent OR NOT w.quiet)
                 ORDER BY n.id LIMIT 1000 FOR UPDATE SKIP LOCKED) c),
        ranked AS (SELECT c.*, (row_number() OVER (PARTITION BY c.user_id ORDER BY c.id) - 1) / 50 AS chunk FROM cand c)
        SELECT k.user_id, array_agg(k.id ORDER BY k.id) AS ids, bool_or(k.urgent) AS urgent
          FROM ranked k GROUP BY k.user_id, k.chunk ORDER BY k.user_id, k.chunk
    LOOP
        v_count := v_count + cardinality(r.ids);
        IF NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = r.user_id AND device_live(d, p_now)) THEN
            UPDATE notifications SET push_state = 'none' WHERE id = ANY (r.ids);
            CONTINUE;
        END IF;
        INSERT INTO push_messages (user_id, members, urgent) VALUES (r.user_id, r.ids, r.urgent) RETURNING id INTO v_msg;
        INSERT INTO push_message_members (notification_id, message_id) SELECT unnest(r.ids), v_msg;
        INSERT INTO push_sends (message_id, user_id, device_id)
        SELECT v_msg, d.user_id, d.device_id FROM devices d WHERE d.user_id = r.user_id AND device_live(d, p_now);
        UPDATE notifications SET push_state = 'packed' WHERE id = ANY (r.ids);
    END LOOP;
    RETURN v_count;
END $$;

-- What a push of a message says: the generic title (or how many wait), the
-- subject only where the person allows it, and the deep link of its first
-- member; the data names the message and its members, as strings (FCM's
-- data is strings only).
CREATE OR REPLACE FUNCTION push_payload(m push_messages) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN m.silent THEN
        -- a read mark: no alert; the phone clears what it names
        jsonb_build_object('silent', true, 'urgent', false,
                           'data', jsonb_build_object('message_id', m.id::text, 'kind', 'read',
                                                      'notification_ids', array_to_string(m.members, ',')))
    ELSE jsonb_build_object(
        'title', CASE WHEN cardinality(m.members) = 1 THEN notification_title(n.kind)
                      ELSE format('Bạn có %s thông báo mới', cardinality(m.members)) END,
        'body', CASE WHEN cardinality(m.members) = 1 AND coalesce(s.show_subject, false) THEN n.subject END,
        'urgent', m.urgent,
        'data', jsonb_strip_nulls(jsonb_build_object(
            'message_id', m.id::text,
            'kind', CASE WHEN cardinality(m.members) = 1 THEN n.kind ELSE 'group' END,
            'notification_ids', array_to_string(m.members, ','),
            'task_id', n.task_id::text, 'document_id', n.document_id::text, 'directive_id', n.directive_id::text)))
    END
      FROM notifications n LEFT JOIN notification_settings s ON s.user_id = m.user_id
     WHERE n.id = m.members[1]
$$;

-- Claims up to p_limit sends due now for p_lease_s seconds: each with its
-- message's payload, its phone's platform and token. A send whose phone
-- is gone (unregistered, signed out, disabled) ends as gone.
CREATE OR REPLACE FUNCTION notify_claim(p_limit integer, p_lease_s integer)
    RETURNS TABLE (send_id bigint, message_id bigint, tries integer, platform text, token text, payload jsonb,
                   lease text)
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE push_sends ps SET state = 'gone', last_status = 'device unregistered or signed out', lease_until = NULL
     WHERE ps.state = 'pending' AND ps.next_at <= now()
       AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = ps.user_id AND d.device_id = ps.device_id
                                                 AND device_live(d, qlvb_now()));
    RETURN QUERY
    WITH due AS (
        SELECT ps.id FROM push_sends ps
         WHERE ps.state = 'pending' AND ps.next_at <= now() AND (ps.lease_until IS NULL OR ps.lease_until < now())
         ORDER BY ps.next_at, ps.id LIMIT p_limit FOR UPDATE SKIP LOCKED),
    claimed AS (
        UPDATE push_sends ps SET lease_until = now() + make_interval(secs => p_lease_s), tries = ps.tries + 1
          FROM due WHERE ps.id = due.id RETURNING ps.*)
    SELECT c.id, c.message_id, c.tries, d.platform, d.token, push_payload(m), c.lease_until::text
      FROM claimed c JOIN push_messages m ON m.id = c.message_id
      JOIN devices d ON d.user_id = c.user_id AND d.device_id = c.device_id;
END $$;

-- What became of a send: sent; retry (after p_retry_s seconds, the
-- provider's Retry-After, or a backoff with jitter); gone (the provider
-- says the token is no more: the phone is disabled and never sent to
-- again); dead (the provider refused it for good). A send that has used
-- p_max_tries becomes a dead letter.
CREATE OR REPLACE FUNCTION notify_result(p_send bigint, p_lease timestamptz, p_outcome text, p_status text,
                                         p_retry_s integer, p_max_tries integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE s push_sends;
BEGIN
    SELECT * INTO s FROM push_sends WHERE id = p_send FOR UPDATE;
    IF s.id IS NULL OR s.state <> 'pending' OR s.lease_until IS DISTINCT FROM p_lease THEN
        RETURN;                        -- decided already, or its lease ran out and another daemon holds it now
    END IF;
    IF p_outcome = 'sent' THEN
        UPDATE push_sends SET state = 'sent', sent_at = now(), lease_until = NULL, last_status = p_status WHERE id = p_send;
    ELSIF p_outcome = 'gone' THEN
        UPDATE push_sends SET state = 'gone', lease_until = NULL, last_status = p_status WHERE id = p_send;
        UPDATE devices SET disabled_at = now(), disabled_why = p_status
         WHERE user_id = s.user_id AND device_id = s.device_id AND disabled_at IS NULL;
    ELSIF p_outcome = 'dead' OR s.tries >= p_max_tries THEN
        UPDATE push_sends SET state = 'dead', lease_until = NULL, last_status = p_status WHERE id = p_send;
    ELSE
        UPDATE push_sends SET lease_until = NULL, last_status = p_status,
               next_at = now() + make_interval(secs => coalesce(p_retry_s,
                   -- 2, 4, 8 ... seconds, at most 10 minutes, and up to a fifth more at random
                   least(600, 2 ^ least(s.tries, 12))::int * (1 + random() / 5)))
         WHERE id = p_send;
    END IF;
END $$;

-- An administrator sends a dead letter again: pending, its tries reset.
CREATE OR REPLACE FUNCTION push_replay(p_send bigint) RETURNS boolean LANGUAGE sql AS $$
    UPDATE push_sends SET state = 'pending', tries = 0, next_at = now(), lease_until = NULL
     WHERE id = p_send AND state = 'dead' RETURNING true
$$;
