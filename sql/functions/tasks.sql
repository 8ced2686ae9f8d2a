-- The task engine (migration 0035): who holds and who sees a task, its
-- status derived at a moment, and the steps its holder and its assigner
-- take. A task's group is its lead task (role main) and the coordinate and
-- info tasks that name it (lead_task_id).

-- The status at a moment, in DOMAIN.md's categories: done on time or late
-- (judged at the completion report that was then confirmed, against the
-- deadline as extensions left it), overdue and not done, in progress within
-- the deadline, without a deadline; a task reassigned away is cancelled.
-- Completion reported and awaiting confirmation counts by its deadline.
CREATE OR REPLACE FUNCTION task_status(t tasks, p_now timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t.finished_at IS NOT NULL THEN
                     CASE WHEN t.deadline IS NULL OR t.reported_at < t.deadline THEN 'done_on_time' ELSE 'done_late' END
                WHEN NOT t.active THEN 'cancelled'
                WHEN t.deadline IS NULL THEN 'no_deadline'
                WHEN p_now >= t.deadline THEN 'overdue'
                ELSE 'in_progress' END
$$;

-- The warning band of the tasks in progress: their deadline is near.
CREATE OR REPLACE FUNCTION task_due_soon(t tasks, p_now timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT task_status(t, p_now) = 'in_progress' AND t.deadline - inbox_due_soon_band() < p_now
$$;

-- Holds the task: its person, or for an agency's task a clerk or a leader
-- of the agency.
CREATE OR REPLACE FUNCTION task_holds(p_user bigint, t tasks) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(t.active AND (t.user_id = p_user
        OR (t.user_id IS NULL AND (has_role(p_user, t.agency_id, ARRAY['clerk']) OR is_leader(p_user, t.agency_id)))), false)
$$;

-- Sees the task: its holders and its assigner, those of the tasks it was
-- delegated from (a trail is read downwards), the leaders of the agency
-- holding it and of the agency that assigned it, and, for a document's
-- task, who sees the document. Another agency sees nothing of it.
CREATE OR REPLACE FUNCTION task_visible(p_user bigint, p_task bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up AS (
        SELECT t.* FROM tasks t WHERE t.id = p_task
        UNION ALL
        SELECT p.* FROM tasks p JOIN up ON p.id = up.parent_id
    )
    SELECT EXISTS (SELECT 1 FROM up
                    WHERE up.assigned_by = p_user OR up.user_id = p_user
                       OR (up.user_id IS NULL AND has_role(p_user, up.agency_id, ARRAY['clerk']))
                       OR is_leader(p_user, up.agency_id) OR is_leader(p_user, up.assigner_agency_id))
        -- the office and the chairman read every directive's whole trail
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = p_task AND t.directive_id IS NOT NULL AND directive_reader(p_user))
        -- the holders of its group (the lead and the coordinators) see each other's
        OR EXISTS (SELECT 1 FROM tasks t JOIN tasks g ON g.id = coalesce(t.lead_task_id, t.id)
                                                    OR g.lead_task_id = coalesce(t.lead_task_id, t.id)
                    WHERE t.id = p_task AND g.user_id = p_user)
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = p_task AND t.document_id IS NOT NULL
                      AND doc_visible(p_user, t.document_id))
$$;

-- The task locked for a step, or task-not-found (one the caller cannot see
-- is not shown to exist).
CREATE OR REPLACE FUNCTION task_lock(p_user bigint, p_task bigint) RETURNS tasks LANGUAGE plpgsql AS $$
DECLARE t tasks;
BEGIN
    SELECT * INTO t FROM tasks WHERE id = p_task FOR UPDATE;
    IF t.id IS NULL OR NOT task_visible(p_user, p_task) THEN
        PERFORM problem_raise('task-not-found', 'no such task', 'không có nhiệm vụ này');
    END IF;
    RETURN t;
END $$;

-- The version tag of a task: If-Match takes it.
CREATE OR REPLACE FUNCTION task_etag(t tasks) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT '"t' || t.id || '-' || t.version || '"'
$$;

-- A holder (person or agency) as the API shows it.
CREATE OR REPLACE FUNCTION task_holder_json(t tasks) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t.user_id IS NOT NULL THEN
                jsonb_build_object('kind', 'person', 'user_id', t.user_id,
                                   'name', (SELECT full_name FROM users WHERE id = t.user_id),
                                   'unit_id', t.unit_id, 'unit_name', (SELECT name FROM units WHERE id = t.unit_id),
                                   'agency_code', a.code, 'agency_name', a.name)
           ELSE jsonb_build_object('kind', 'agency', 'agency_code', a.code, 'agency_name', a.name) END
      FROM agencies a WHERE a.id = t.agency_id
$$;

-- A task's title: its own, or its document's subject (a document's
-- direction gives its tasks none).
CREATE OR REPLACE FUNCTION task_title(t tasks) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(t.title, (SELECT subject FROM documents WHERE id = t.document_id))
$$;

-- A task in a list: what it is, who holds it, its deadline and status now.
CREATE OR REPLACE FUNCTION task_item_json(t tasks, p_now timestamptz) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', t.id, 'source', t.source, 'role', t.role,
        'title', task_title(t), 'document_id', t.document_id,
        'priority', t.priority, 'holder', task_holder_json(t),
        'assigned_by', jsonb_build_object('user_id', t.assigned_by,
                                          'name', (SELECT full_name FROM users WHERE id = t.assigned_by)),
        'deadline', api_time(t.deadline), 'deadline_date', api_deadline_date(t.deadline),
        'status', task_status(t, p_now), 'due_soon', coalesce(task_due_soon(t, p_now), false),
        'awaiting_confirmation', t.reported_at IS NOT NULL AND t.finished_at IS NULL,
        'percent', t.percent, 'etag', task_etag(t),
        'created_at', api_time(t.created_at))
$$;

-- The whole task: its item, content, group, sub-tasks (their status too),
-- the extension waiting for a decision, its events, and the steps the
-- caller may take now.
CREATE OR REPLACE FUNCTION task_json(p_user bigint, p_task bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT task_item_json(t, qlvb_now()) || jsonb_build_object(
        'content', t.content, 'confirm_required', t.confirm_required,
        'parent_id', t.parent_id, 'lead_task_id', t.lead_task_id,
        'reported_at', api_time(t.reported_at), 'finished_at', api_time(t.finished_at),
        'group', coalesce((SELECT jsonb_agg(task_item_json(g, qlvb_now()) ORDER BY g.id) FROM tasks g
                            WHERE g.active AND g.id <> t.id
                              AND (g.id = coalesce(t.lead_task_id, t.id) OR g.lead_task_id = coalesce(t.lead_task_id, t.id))),
                          '[]'),
        'subtasks', coalesce((SELECT jsonb_agg(task_item_json(s, qlvb_now()) ORDER BY s.id) FROM tasks s
                               WHERE s.parent_id = t.id AND s.active), '[]'),
        'extension', (SELECT jsonb_build_object('deadline', api_time(x.deadline), 'deadline_date', api_deadline_date(x.deadline),
                                                'reason', x.reason, 'asked_by', x.asked_by, 'asked_at', api_time(x.asked_at))
                        FROM task_extensions x WHERE x.task_id = t.id AND x.decided_at IS NULL),
        'events', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'action', e.action, 'user_id', e.user_id,
                                'name', (SELECT full_name FROM users WHERE id = e.user_id),
                                'percent', e.percent, 'note', e.note, 'file_ids', to_jsonb(e.file_ids),
                                'deadline', api_time(e.deadline), 'at', api_time(e.at)) ORDER BY e.id)
                              FROM task_events e WHERE e.task_id = t.id), '[]'),
        'allowed_actions', to_jsonb(task_allowed_actions(p_user, t)))
      FROM tasks t WHERE t.id = p_task
$$;

-- Why the user may not take the action on the task now: {slug, English,
-- Vietnamese}, or NULL when the user may. The one rule that the steps
-- apply and allowed_actions lists.
CREATE OR REPLACE FUNCTION task_refusal(p_user bigint, t tasks, p_action text) RETURNS text[]
    LANGUAGE plpgsql STABLE AS $$
DECLARE v_holder boolean := coalesce(task_holds(p_user, t), false);
        -- an agency's part of a directive is confirmed by any tracker of the office
        v_assigner boolean := coalesce(t.assigned_by = p_user
                              OR (t.source = 'directive' AND t.parent_id IS NULL AND directive_tracker(p_user)), false);
BEGIN
    IF NOT t.active AND t.finished_at IS NULL THEN
        RETURN ARRAY['task-closed', 'the task was reassigned or cancelled', 'nhiệm vụ đã được giao lại hoặc hủy'];
    END IF;
    IF p_action IN ('progress', 'complete', 'extend', 'delegate') THEN
        IF NOT v_holder THEN
            RETURN ARRAY['not-the-holder', 'only the task''s holder does this', 'chỉ người được giao nhiệm vụ làm việc này'];
        END IF;
        IF t.finished_at IS NOT NULL THEN
            RETURN ARRAY['task-closed', 'the task is done', 'nhiệm vụ đã hoàn thành'];
        END IF;
        IF t.reported_at IS NOT NULL THEN
            RETURN ARRAY['task-wrong-state', 'completion was reported and awaits confirmation',
                         'đã báo cáo hoàn thành và đang chờ xác nhận'];
        END IF;
        IF p_action = 'complete' AND t.role = 'info' THEN
            RETURN ARRAY['task-wrong-state', 'a task sent for information is not completed',
                         'nhiệm vụ gửi để biết không cần báo cáo hoàn thành'];
        END IF;
        IF p_action = 'extend' AND t.deadline IS NULL THEN
            RETURN ARRAY['task-wrong-state', 'the task has no deadline to extend', 'nhiệm vụ không có hạn để gia hạn'];
        END IF;
        IF p_action = 'extend' AND EXISTS (SELECT 1 FROM task_extensions WHERE task_id = t.id AND decided_at IS NULL) THEN
            RETURN ARRAY['task-wrong-state', 'an extension asked waits for its decision', 'yêu cầu gia hạn trước đang chờ quyết định'];
        END IF;
        RETURN NULL;
    END IF;
    IF p_action IN ('confirm', 'return', 'decide_extension') THEN
        IF NOT v_assigner THEN
            RETURN ARRAY['not-the-assigner', 'only who assigned the task does this', 'chỉ người giao nhiệm vụ làm việc này'];
        END IF;
        IF p_action IN ('confirm', 'return') AND (t.reported_at IS NULL OR t.finished_at IS NOT NULL) THEN
            RETURN ARRAY['task-wrong-state', 'no completion waits for confirmation', 'không có báo cáo hoàn thành nào chờ xác nhận'];
        END IF;
        IF p_action = 'decide_extension'
           AND NOT EXISTS (SELECT 1 FROM task_extensions WHERE task_id = t.id AND decided_at IS NULL) THEN
            RETURN ARRAY['task-wrong-state', 'no extension waits for a decision', 'không có yêu cầu gia hạn nào chờ quyết định'];
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'task_refusal: unknown action %', p_action;
END $$;

CREATE OR REPLACE FUNCTION task_allowed_actions(p_user bigint, t tasks) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(a ORDER BY o), '{}')
      FROM unnest(ARRAY['progress', 'complete', 'extend', 'delegate', 'confirm', 'return', 'decide_extension'])
           WITH ORDINALITY x(a, o)
     WHERE task_refusal(p_user, t, a) IS NULL
$$;

CREATE OR REPLACE FUNCTION task_guard(p_user bigint, t tasks, p_action text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v text[] := task_refusal(p_user, t, p_action);
BEGIN
    IF v IS NOT NULL THEN
        PERFORM problem_raise(v[1], v[2], v[3]);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION task_log(p_task bigint, p_user bigint, p_action text, p_note text,
                                    p_percent integer DEFAULT NULL, p_deadline timestamptz DEFAULT NULL,
                                    p_files bigint[] DEFAULT '{}') RETURNS void LANGUAGE sql AS $$
    INSERT INTO task_events (task_id, user_id, action, note, percent, deadline, file_ids, at)
    VALUES (p_task, p_user, p_action, p_note, p_percent, p_deadline, coalesce(p_files, '{}'), qlvb_now());
    UPDATE tasks SET version = version + 1 WHERE id = p_task;
$$;

-- A deadline as a body gives it: a moment (deadline), kept as given, or N
-- working days from now (deadline_working_days: 24:00 of the Nth working
-- day). NULL: none. p_future: a moment already past is refused.
CREATE OR REPLACE FUNCTION task_deadline_of(f jsonb, p_pointer text, p_future boolean DEFAULT true) RETURNS timestamptz
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF f->>'deadline' IS NOT NULL AND f->>'deadline_working_days' IS NOT NULL THEN
        PERFORM problem_raise('invalid-value', 'give a deadline or deadline_working_days, not both',
                              'chỉ nêu deadline hoặc deadline_working_days, không cả hai', p_pointer || '/deadline');
    END IF;
    IF f->>'deadline_working_days' IS NOT NULL THEN
        RETURN working_deadline(qlvb_now(), (f->>'deadline_working_days')::int);
    END IF;
    IF f->>'deadline' IS NOT NULL THEN
        IF p_future AND (f->>'deadline')::timestamptz <= qlvb_now() THEN
            PERFORM problem_raise('invalid-value', 'the deadline has passed already', 'hạn xử lý đã qua',
                                  p_pointer || '/deadline');
        END IF;
        RETURN date_trunc('milliseconds', (f->>'deadline')::timestamptz);   -- to the millisecond shown
    END IF;
    RETURN NULL;
END $$;

-- Someone named to hold a task: {user_id} a person of the assigner's
-- agency, {unit_id} a unit of it (its head holds it, or while the post is
-- empty its first deputy head: the one who runs the unit), or {agency_code}
-- an open agency (its clerks and leaders hold it). The holder's agency; the
-- person, or NULL for an agency; the unit when one was named. p_pointer:
-- the field's pointer prefix (/coordinators/0/ or /lead_).
CREATE OR REPLACE FUNCTION task_holder_of(p_assigner_agency bigint, h jsonb, p_pointer text, OUT o_user bigint,
                                          OUT o_agency bigint, OUT o_unit bigint) LANGUAGE plpgsql STABLE AS $$
DECLARE v_given text[];
BEGIN
    v_given := ARRAY(SELECT k FROM unnest(ARRAY['user_id', 'unit_id', 'agency_code']) WITH ORDINALITY x(k, o)
                      WHERE h->>k IS NOT NULL ORDER BY o);
    IF cardinality(v_given) <> 1 THEN             -- the pointer: the second one named, or the first to name
        PERFORM problem_raise('invalid-value', 'name one of user_id, unit_id and agency_code',
                              'nêu một trong user_id, unit_id và agency_code', p_pointer || coalesce(v_given[2], 'user_id'));
    END IF;
    IF h->>'unit_id' IS NOT NULL THEN
        o_unit := (h->>'unit_id')::bigint;
        IF NOT EXISTS (SELECT 1 FROM units WHERE id = o_unit AND agency_id = p_assigner_agency) THEN
            PERFORM problem_raise('invalid-value', format('unit %s is not a unit of your agency', o_unit),
                                  format('đơn vị %s không thuộc cơ quan bạn', o_unit), p_pointer || 'unit_id');
        END IF;
        SELECT m.user_id, m.agency_id INTO o_user, o_agency FROM memberships m
         WHERE m.unit_id = o_unit AND m.agency_id = p_assigner_agency AND m.position IN ('head', 'deputy_head')
           AND user_active(m.user_id)
         ORDER BY m.position = 'head' DESC, m.id LIMIT 1;
        IF o_user IS NULL THEN
            PERFORM problem_raise('invalid-value', format('unit %s has no head or deputy head to hold it; name a person', o_unit),
                                  format('đơn vị %s không có trưởng hoặc phó đơn vị để nhận; hãy nêu một người', o_unit),
                                  p_pointer || 'unit_id');
        END IF;
    ELSIF h->>'user_id' IS NOT NULL THEN
        o_user := (h->>'user_id')::bigint;
        SELECT m.agency_id INTO o_agency FROM memberships m
         WHERE m.user_id = o_user AND m.agency_id = p_assigner_agency AND user_active(o_user) LIMIT 1;
        IF o_agency IS NULL THEN
            PERFORM problem_raise('invalid-value', format('user %s is not an active member of your agency', o_user),
                                  format('người dùng %s không phải thành viên đang làm việc của cơ quan bạn', o_user),
                                  p_pointer || 'user_id');
        END IF;
    ELSE
        SELECT id INTO o_agency FROM agencies WHERE code = h->>'agency_code' AND valid_to IS NULL;
        IF o_agency IS NULL THEN
            PERFORM problem_raise('invalid-value', format('no open agency has code %s', h->>'agency_code'),
                                  format('không có cơ quan đang hoạt động mang mã %s', h->>'agency_code'),
                                  p_pointer || 'agency_code');
        END IF;
    END IF;
END $$;

-- Puts a task in its holders' inboxes: the person's, or the clerks' and
-- leaders' of the agency.
CREATE OR REPLACE FUNCTION task_inbox_put(t tasks, p_reason text) RETURNS void LANGUAGE sql AS $$
    SELECT inbox_put_task(u, t.id, CASE WHEN t.role = 'info' THEN 'info' ELSE 'process' END, p_reason, t.deadline)
      FROM (SELECT t.user_id AS u WHERE t.user_id IS NOT NULL
            UNION
            SELECT m.user_id FROM memberships m
             WHERE t.user_id IS NULL AND m.agency_id = t.agency_id AND user_active(m.user_id)
               AND ('clerk' = ANY (m.roles) OR m.position IN ('leader', 'deputy_leader'))) h
$$;

-- Creates a task directly (f: title, content, document_id, lead,
-- coordinators, deadline or deadline_working_days, priority,
-- confirm_required, parent_id); a holder of parent_id delegates a part of
-- it down, within its deadline. The lead task's id.
CREATE OR REPLACE FUNCTION task_create(p_user bigint, f jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_agency bigint; v_parent tasks; v_deadline timestamptz; v_lead bigint; v_id bigint; h jsonb; i int := 0;
        v_holder record; v_seen bigint[] := '{}'; v_key bigint;
BEGIN
    SELECT m.agency_id INTO v_agency FROM memberships m WHERE m.user_id = p_user ORDER BY m.is_primary DESC, m.id LIMIT 1;
    IF f->>'parent_id' IS NOT NULL THEN
        SELECT * INTO v_parent FROM tasks WHERE id = (f->>'parent_id')::bigint FOR UPDATE;
        IF v_parent.id IS NULL OR NOT task_visible(p_user, v_parent.id) THEN
            PERFORM problem_raise('task-not-found', 'no such task to delegate from', 'không có nhiệm vụ này để giao việc tiếp',
                                  '/parent_id');
        END IF;
        PERFORM task_guard(p_user, v_parent, 'delegate');
        v_agency := v_parent.agency_id;
    END IF;
    IF f->>'document_id' IS NOT NULL AND NOT doc_visible(p_user, (f->>'document_id')::bigint) THEN
        PERFORM problem_raise('document-not-found', 'no such document', 'không có văn bản này', '/document_id');
    END IF;
    v_deadline := task_deadline_of(f, '');
    IF v_parent.id IS NOT NULL AND v_parent.deadline IS NOT NULL
       AND (v_deadline IS NULL OR v_deadline > v_parent.deadline) THEN
        PERFORM problem_raise('invalid-value', format('a sub-task ends by its task''s deadline (%s)', api_time(v_parent.deadline)),
                              format('nhiệm vụ con phải xong trước hạn của nhiệm vụ giao (%s)',
                                     to_char(v_parent.deadline AT TIME ZONE 'Asia/Ho_Chi_Minh', 'HH24:MI DD/MM/YYYY')),
                              '/deadline');
    END IF;
    FOR h IN SELECT jsonb_strip_nulls(jsonb_build_object('user_id', f->'lead_user_id', 'unit_id', f->'lead_unit_id',
                                                         'agency_code', f->'lead_agency_code'))
             UNION ALL SELECT x FROM jsonb_array_elements(coalesce(f->'coordinators', '[]')) x LOOP
        v_holder := task_holder_of(v_agency, h, CASE WHEN i = 0 THEN '/lead_' ELSE format('/coordinators/%s/', i - 1) END);
        v_key := coalesce(v_holder.o_user, -v_holder.o_agency);
        IF v_key = ANY (v_seen) THEN
            PERFORM problem_raise('person-named-twice', 'a holder is named twice in this task; name each once',
                                  'một người hoặc cơ quan được nêu hai lần trong nhiệm vụ này; mỗi bên chỉ nêu một lần',
                                  CASE WHEN i = 0 THEN '/lead_user_id' ELSE format('/coordinators/%s', i - 1) END);
        END IF;
        v_seen := v_seen || v_key;
        INSERT INTO tasks (source, directive_id, document_id, title, content, user_id, unit_id, agency_id, role, deadline,
                           assigned_by, assigner_agency_id, lead_task_id, parent_id, priority, confirm_required,
                           created_at)
        VALUES (CASE WHEN v_parent.id IS NOT NULL THEN v_parent.source ELSE 'direct' END, v_parent.directive_id,
                coalesce((f->>'document_id')::bigint, v_parent.document_id),
                f->>'title', f->>'content', v_holder.o_user, v_holder.o_unit, v_holder.o_agency,
                CASE WHEN i = 0 THEN 'main' ELSE 'coordinate' END, v_deadline, p_user, v_agency, v_lead,
                v_parent.id, coalesce(f->>'priority', 'normal'), coalesce((f->>'confirm_required')::boolean, true),
                qlvb_now())
        RETURNING id INTO v_id;
        v_lead := coalesce(v_lead, v_id);
        PERFORM task_log(v_id, p_user, 'created', NULL, NULL, v_deadline);
        PERFORM task_inbox_put((SELECT t FROM tasks t WHERE t.id = v_id), CASE WHEN i = 0 THEN 'main' ELSE 'coordinate' END);
        i := i + 1;
    END LOOP;
    IF v_parent.id IS NOT NULL THEN
        PERFORM task_log(v_parent.id, p_user, 'delegated', f->>'title');
    END IF;
    RETURN v_lead;
END $$;

-- The holder reports progress: a percent, a note, files of the source
-- document or uploaded to it.
CREATE OR REPLACE FUNCTION task_progress(p_user bigint, p_task bigint, f jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task);
BEGIN
    PERFORM task_guard(p_user, t, 'progress');
    IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(f->'file_ids', '[]')) x(id)
                WHERE t.document_id IS NULL
                   OR NOT EXISTS (SELECT 1 FROM document_files df WHERE df.id = x.id::bigint
                                     AND df.document_id = t.document_id)) THEN
        PERFORM problem_raise('invalid-value', 'file_ids are files of the task''s document',
                              'file_ids phải là tệp của văn bản gắn với nhiệm vụ', '/file_ids');
    END IF;
    UPDATE tasks SET percent = coalesce((f->>'percent')::int, percent),
                     status = CASE WHEN status IN ('assigned', 'read') THEN 'reported' ELSE status END
     WHERE id = p_task;
    PERFORM task_log(p_task, p_user, 'progress', f->>'note', (f->>'percent')::int, NULL,
                     ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'file_ids', '[]'))::bigint));
    PERFORM task_touch_inboxes(p_task);
END $$;

-- The holder reports completion: final at once when no confirmation is
-- asked, or waiting for the assigner's.
CREATE OR REPLACE FUNCTION task_complete(p_user bigint, p_task bigint, p_note text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task);
BEGIN
    PERFORM task_guard(p_user, t, 'complete');
    UPDATE tasks SET reported_at = qlvb_now(), reported_by = p_user, percent = 100, status = 'done',
                     finished_at = CASE WHEN confirm_required THEN NULL ELSE qlvb_now() END,
                     finished_by = CASE WHEN confirm_required THEN NULL ELSE p_user END
     WHERE id = p_task;
    PERFORM task_log(p_task, p_user, 'completed', p_note, 100);
    IF t.confirm_required THEN
        PERFORM inbox_put_task(t.assigned_by, p_task, 'approve', 'completion_reported', t.deadline);
    ELSE
        PERFORM task_finished(p_task, p_user);
    END IF;
    PERFORM task_touch_inboxes(p_task);
END $$;

-- The assigner confirms the completion reported: the task is done, on time
-- or late as it was reported.
CREATE OR REPLACE FUNCTION task_confirm(p_user bigint, p_task bigint, p_note text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task);
BEGIN
    PERFORM task_guard(p_user, t, 'confirm');
    UPDATE tasks SET finished_at = qlvb_now(), finished_by = p_user WHERE id = p_task;
    PERFORM task_log(p_task, p_user, 'confirmed', p_note);
    PERFORM task_finished(p_task, p_user);
    PERFORM task_touch_inboxes(p_task);
END $$;

-- The assigner returns the completion reported: the task is in progress
-- again, its deadline unchanged.
CREATE OR REPLACE FUNCTION task_return(p_user bigint, p_task bigint, p_note text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task);
BEGIN
    PERFORM task_guard(p_user, t, 'return');
    UPDATE tasks SET reported_at = NULL, reported_by = NULL, status = 'read', percent = least(percent, 99)
     WHERE id = p_task;
    PERFORM task_log(p_task, p_user, 'returned', p_note);
    PERFORM task_assigner_item(p_task);
    PERFORM task_inbox_put(t, 'returned');
    PERFORM task_touch_inboxes(p_task);
END $$;

-- The holder asks a later deadline (f: deadline or deadline_working_days,
-- reason).
CREATE OR REPLACE FUNCTION task_extension_ask(p_user bigint, p_task bigint, f jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task); v_deadline timestamptz;
BEGIN
    PERFORM task_guard(p_user, t, 'extend');
    v_deadline := task_deadline_of(f, '');
    IF v_deadline IS NULL OR v_deadline <= t.deadline THEN
        PERFORM problem_raise('invalid-value', 'an extension asks a deadline later than the task''s',
                              'gia hạn phải xin một hạn muộn hơn hạn hiện tại', '/deadline');
    END IF;
    INSERT INTO task_extensions (task_id, asked_by, asked_at, deadline, reason)
    VALUES (p_task, p_user, qlvb_now(), v_deadline, f->>'reason');
    PERFORM task_log(p_task, p_user, 'extension_asked', f->>'reason', NULL, v_deadline);
    PERFORM inbox_put_task(t.assigned_by, p_task, 'approve', 'extension_asked', t.deadline);
END $$;

-- The assigner grants (the deadline moves) or refuses the extension asked.
CREATE OR REPLACE FUNCTION task_extension_decide(p_user bigint, p_task bigint, p_grant boolean, p_note text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks := task_lock(p_user, p_task); x task_extensions;
BEGIN
    PERFORM task_guard(p_user, t, 'decide_extension');
    UPDATE task_extensions SET decided_by = p_user, decided_at = qlvb_now(), granted = p_grant
     WHERE task_id = p_task AND decided_at IS NULL RETURNING * INTO x;
    IF p_grant THEN
        -- a new deadline: its warnings start over
        UPDATE tasks SET deadline = x.deadline, warned_rank = 99, warned_overdue_on = NULL WHERE id = p_task;
    END IF;
    PERFORM task_log(p_task, p_user, CASE WHEN p_grant THEN 'extension_granted' ELSE 'extension_refused' END,
                     p_note, NULL, x.deadline);
    PERFORM task_assigner_item(p_task);
    PERFORM task_touch_inboxes(p_task);
END $$;

-- A task done: a document's main task finishes the document; the
-- assigner's waiting item leaves.
CREATE OR REPLACE FUNCTION task_finished(p_task bigint, p_user bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks;
BEGIN
    SELECT * INTO t FROM tasks WHERE id = p_task;
    IF t.source = 'document' AND t.role = 'main' AND t.parent_id IS NULL THEN
        UPDATE documents SET status = 'done' WHERE id = t.document_id;
    END IF;
    PERFORM inbox_done_task(t.assigned_by, p_task);
    -- the holders' items (a document's item carries its holder's task)
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now() WHERE task_id = p_task AND box <> 'done';
END $$;

-- The assigner's item of a task: in the approve box while a completion or
-- an extension waits for a decision, done when none does.
CREATE OR REPLACE FUNCTION task_assigner_item(p_task bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t tasks;
BEGIN
    SELECT * INTO t FROM tasks WHERE id = p_task;
    IF t.reported_at IS NOT NULL AND t.finished_at IS NULL THEN
        PERFORM inbox_put_task(t.assigned_by, p_task, 'approve', 'completion_reported', t.deadline);
    ELSIF EXISTS (SELECT 1 FROM task_extensions WHERE task_id = p_task AND decided_at IS NULL) THEN
        PERFORM inbox_put_task(t.assigned_by, p_task, 'approve', 'extension_asked', t.deadline);
    ELSE
        PERFORM inbox_done_task(t.assigned_by, p_task);
    END IF;
END $$;

-- The holders' items of a task show what changed (the feed carries them).
CREATE OR REPLACE FUNCTION task_touch_inboxes(p_task bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE inbox_items i SET updated_at = qlvb_now(),
           deadline = CASE WHEN i.box = 'approve' THEN i.deadline ELSE (SELECT deadline FROM tasks WHERE id = p_task) END
     WHERE i.task_id = p_task;
    SELECT inbox_log(i.user_id, i.id, i.document_id, NULL) FROM inbox_items i WHERE i.task_id = p_task;
$$;

-- My tasks (p_view: held, the tasks I hold or my agency holds as its clerk
-- or leader; assigned, those I assigned), newest first, after the cursor
-- (a task id). Status filter optional.
CREATE OR REPLACE FUNCTION my_tasks(p_user bigint, p_view text, p_status text, p_after bigint, p_limit integer)
    RETURNS SETOF jsonb LANGUAGE sql STABLE AS $$
    SELECT task_item_json(t, qlvb_now()) FROM tasks t
     WHERE t.active AND (p_after IS NULL OR t.id < p_after)
       AND CASE p_view WHEN 'assigned' THEN t.assigned_by = p_user
                       ELSE t.user_id = p_user
                         OR (t.user_id IS NULL AND t.agency_id IN (
                                SELECT m.agency_id FROM memberships m WHERE m.user_id = p_user
                                   AND ('clerk' = ANY (m.roles) OR m.position IN ('leader', 'deputy_leader')))) END
       AND (p_status IS NULL OR task_status(t, qlvb_now()) = p_status
            OR (p_status = 'due_soon' AND task_due_soon(t, qlvb_now())))
     ORDER BY t.id DESC LIMIT p_limit
$$;
