-- Per-user inbox items: putting a document in a box, marking it done, and
-- the inbox versions (the ETag of a user's inbox pages).
--
-- A transaction notes whose inboxes it touched (qlvb.touched, local to the
-- transaction) and takes no lock for it; at its commit a deferred trigger
-- bumps each touched user's version once, in user id order, so that no two
-- transactions wait on each other's users rows in a cycle. The API reads
-- the list before the commit and refreshes the cached versions after it.

-- Notes a touched inbox.
CREATE OR REPLACE FUNCTION inbox_touch(p_user bigint) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('qlvb.touched', coalesce(nullif(current_setting('qlvb.touched', true), ''), '0')
                      || ',' || p_user, true);
$$;

CREATE OR REPLACE FUNCTION inbox_put(p_user bigint, p_doc bigint, p_box text, p_reason text, p_deadline timestamptz)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO inbox_items AS i (user_id, document_id, box, reason, deadline)
    VALUES (p_user, p_doc, p_box, p_reason, p_deadline)
    ON CONFLICT (user_id, document_id) DO UPDATE
       SET box = EXCLUDED.box, reason = EXCLUDED.reason, unread = true,
           deadline = EXCLUDED.deadline, updated_at = qlvb_now();
    SELECT inbox_touch(p_user);
    -- what it means to the person's phone, in the same transaction
    SELECT notify_document_item(p_user, p_doc, p_box, p_reason);
$$;

-- Puts a task that is not a document's in a person's box.
CREATE OR REPLACE FUNCTION inbox_put_task(p_user bigint, p_task bigint, p_box text, p_reason text,
                                          p_deadline timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO inbox_items AS i (user_id, task_id, box, reason, deadline)
    VALUES (p_user, p_task, p_box, p_reason, p_deadline)
    ON CONFLICT (user_id, task_id) WHERE document_id IS NULL DO UPDATE
       SET box = EXCLUDED.box, reason = EXCLUDED.reason, unread = true,
           deadline = EXCLUDED.deadline, updated_at = qlvb_now();
    SELECT inbox_touch(p_user);
    SELECT notify_task_item(p_user, p_task, p_reason);
$$;

CREATE OR REPLACE FUNCTION inbox_done_task(p_user bigint, p_task bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now()
     WHERE user_id = p_user AND task_id = p_task AND document_id IS NULL AND box <> 'done';
    SELECT inbox_touch(p_user);
$$;

CREATE OR REPLACE FUNCTION inbox_done(p_user bigint, p_doc bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now()
     WHERE user_id = p_user AND document_id = p_doc AND box <> 'done';
    SELECT inbox_touch(p_user);
$$;

-- Logs a change of an item for the changes feed (migration 0023): stamped
-- with the user's inbox version when the transaction commits. p_removed:
-- why the item left the inbox, or NULL.
CREATE OR REPLACE FUNCTION inbox_log(p_user bigint, p_item bigint, p_doc bigint, p_removed text)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO inbox_changes (user_id, item_id, document_id, removed) VALUES (p_user, p_item, p_doc, p_removed);
    SELECT inbox_touch(p_user);
$$;

-- Items moved without inbox_done (registration by another clerk, signing,
-- issuing, reassignment) touch their users too.
CREATE OR REPLACE FUNCTION inbox_items_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.box IS DISTINCT FROM OLD.box OR NEW.unread IS DISTINCT FROM OLD.unread
       OR NEW.deadline IS DISTINCT FROM OLD.deadline OR NEW.reason IS DISTINCT FROM OLD.reason
       OR NEW.task_id IS DISTINCT FROM OLD.task_id THEN
        PERFORM inbox_log(NEW.user_id, NEW.id, NEW.document_id, NULL);
    END IF;
    RETURN NEW;
END $$;

-- An item put in an inbox, or taken out of it: the reason is the
-- transaction's qlvb.inbox_removal (a recall sets 'recalled'), else
-- 'removed'.
CREATE OR REPLACE FUNCTION inbox_items_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM inbox_log(NEW.user_id, NEW.id, NEW.document_id, NULL);
    ELSE
        PERFORM inbox_log(OLD.user_id, OLD.id, OLD.document_id,
                          coalesce(nullif(current_setting('qlvb.inbox_removal', true), ''), 'removed'));
    END IF;
    RETURN NULL;
END $$;

-- A change to what inbox pages show of a document touches every holder.
-- (one insert and one note for all holders: a document may have thousands)
CREATE OR REPLACE FUNCTION documents_shown_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_users text;
BEGIN
    INSERT INTO inbox_changes (user_id, item_id, document_id)
    SELECT user_id, id, document_id FROM inbox_items WHERE document_id = NEW.id;
    SELECT string_agg(DISTINCT user_id::text, ',') INTO v_users FROM inbox_items WHERE document_id = NEW.id;
    IF v_users IS NOT NULL THEN
        PERFORM set_config('qlvb.touched', coalesce(nullif(current_setting('qlvb.touched', true), ''), '0')
                           || ',' || v_users, true);
    END IF;
    RETURN NULL;
END $$;

-- At commit (deferred): bumps the version of every touched inbox once, in
-- user id order. The first call of a transaction does it; later calls of
-- the same commit find it done.
CREATE OR REPLACE FUNCTION inbox_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_user bigint; v_version bigint;
BEGIN
    IF coalesce(current_setting('qlvb.bumped', true), '') = 'yes'
       OR coalesce(current_setting('qlvb.touched', true), '') = '' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('qlvb.bumped', 'yes', true);
    FOR v_user IN SELECT DISTINCT u::bigint FROM unnest(string_to_array(current_setting('qlvb.touched', true), ',')) u
                   WHERE u::bigint > 0 ORDER BY 1 LOOP
        UPDATE users SET inbox_version = inbox_version + 1 WHERE id = v_user RETURNING inbox_version INTO v_version;
        -- this transaction's logged changes take the version its commit
        -- gives (the row lock orders the commits of one user's changes)
        UPDATE inbox_changes SET version = v_version
         WHERE user_id = v_user AND version IS NULL AND xid = pg_current_xact_id();
    END LOOP;
    RETURN NULL;
END $$;

-- "Due soon": the warning band before a deadline (DOMAIN.md: commonly 3
-- days before it).
CREATE OR REPLACE FUNCTION inbox_due_soon_band() RETURNS interval LANGUAGE sql IMMUTABLE AS $$
    SELECT interval '3 days'
$$;

-- An inbox item as the API shows it, in the list and in the changes feed,
-- from the item, its document and the document's agency's name: no lookup
-- per item, but for a task of a document's direction in an item of its
-- own (its title is the document's subject: task_title). PL/pgSQL, so that
-- its expression is planned once per connection (an SQL function that is not inlined is planned again in
-- every query that calls it).
-- An item is a document's (document set; task: the holder's task on it, if
-- any, whose title is then the subject at hand) or a task's own (document
-- null).
CREATE OR REPLACE FUNCTION inbox_item_json(i inbox_items, d documents, t tasks, p_agency_name text, p_now timestamptz)
    RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'id', i.id, 'kind', CASE WHEN i.document_id IS NULL THEN 'task' ELSE 'document' END,
        'box', i.box, 'reason', i.reason, 'unread', i.unread, 'deadline', api_time(i.deadline),
        'deadline_date', api_deadline_date(i.deadline),
        'overdue', i.deadline IS NOT NULL AND i.deadline < p_now AND i.box <> 'done',
        'due_soon', i.deadline IS NOT NULL AND i.deadline >= p_now AND i.deadline - inbox_due_soon_band() < p_now
                    AND i.box <> 'done',
        'updated_at', api_time(i.updated_at),
        'document', CASE WHEN i.document_id IS NOT NULL THEN json_build_object(
            'id', d.id, 'direction', d.direction, 'status', d.status, 'subject', d.subject,
            'number_notation', d.number_notation, 'urgency', d.urgency, 'secrecy', d.secrecy,
            'issuer_name', coalesce(d.issuer_name, p_agency_name)) END,
        'task', CASE WHEN i.task_id IS NOT NULL THEN json_build_object(
            'id', t.id, 'source', t.source, 'title', coalesce(t.title, d.subject, task_title(t)), 'priority', t.priority,
            'status', task_status(t, p_now), 'awaiting_confirmation', t.reported_at IS NOT NULL AND t.finished_at IS NULL,
            'percent', t.percent, 'document_id', t.document_id, 'etag', task_etag(t)) END,
        'etag', CASE WHEN i.document_id IS NOT NULL THEN doc_version_tag(d.id, d.version) ELSE task_etag(t) END);
END $$;

-- A sync token: opaque to the phone; it names the user, the inbox version
-- and the moment (the one clock, in microseconds) it was given at.
CREATE OR REPLACE FUNCTION inbox_sync_token(p_user bigint, p_version bigint, p_at timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(encode(convert_to('s1:' || p_user || ':' || p_version || ':'
                                       || (extract(epoch FROM p_at) * 1000000)::bigint, 'UTF8'), 'base64'),
                     E'+/=\n', '-_')
$$;

-- The parts of an opaque token (base64url of parts joined by ':'); NULL
-- when it is not one.
CREATE OR REPLACE FUNCTION token_parts(p_token text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN string_to_array(convert_from(decode(rpad(translate(p_token, '-_', '+/'),
                                                    (length(p_token) + 3) / 4 * 4, '='), 'base64'), 'UTF8'), ':');
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

-- The last change of each item of a user's inbox after a version.
CREATE OR REPLACE FUNCTION inbox_last_changes(p_user bigint, p_from bigint)
    RETURNS TABLE (item_id bigint, document_id bigint, removed text, version bigint) LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (c.item_id) c.item_id, c.document_id, c.removed, c.version
      FROM inbox_changes c
     WHERE c.user_id = p_user AND c.version > p_from
     ORDER BY c.item_id, c.version DESC
$$;

-- The changes of a user's inbox since a token (NULL: none, only a token for
-- now): the items changed since, as they now are, and those gone, each
-- with its reason, at most p_limit items (whole commits: a commit's
-- changes are never split), then the next token and whether more wait.
-- Items that crossed their due-soon band or their deadline as time passed,
-- and those whose open task passed its deadline, come with the last page. NULL when the token is not one of this user's,
-- or older than what the log keeps (30 days): the phone reloads.
CREATE OR REPLACE FUNCTION inbox_changes_since(p_user bigint, p_token text, p_limit int) RETURNS json
    LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := qlvb_now();
    u users;
    v_parts text[];
    v_from bigint;
    v_since timestamptz;
    v_upto bigint;
    v_more boolean;
    v_items json;
    v_removed json;
    r record;
BEGIN
    WITH gone AS (DELETE FROM inbox_changes WHERE user_id = p_user AND version IS NOT NULL
                                             AND at < v_now - interval '30 days' RETURNING version)
    UPDATE users SET inbox_sync_floor = greatest(inbox_sync_floor, (SELECT max(version) FROM gone))
     WHERE id = p_user AND EXISTS (SELECT 1 FROM gone);
    -- and a batch of everyone's oldest, one caller at a time; the floors
    -- rise in user id order, the order commits lock users rows in
    IF pg_try_advisory_xact_lock(hashtext('qlvb.inbox_purge')) THEN
        FOR r IN WITH gone AS (
                     DELETE FROM inbox_changes
                      WHERE ctid IN (SELECT ctid FROM inbox_changes
                                      WHERE version IS NOT NULL AND at < v_now - interval '30 days'
                                      ORDER BY at LIMIT 1000)
                  RETURNING user_id, version)
                 SELECT user_id, max(version) AS v FROM gone GROUP BY user_id ORDER BY user_id LOOP
            UPDATE users SET inbox_sync_floor = greatest(inbox_sync_floor, r.v) WHERE id = r.user_id;
        END LOOP;
    END IF;
    SELECT * INTO u FROM users WHERE id = p_user;
    IF p_token IS NULL THEN
        RETURN json_build_object('changed', '[]'::json, 'removed', '[]'::json, 'has_more', false,
                                 'next', inbox_sync_token(p_user, u.inbox_version, v_now));
    END IF;
    v_parts := token_parts(p_token);
    IF coalesce(array_length(v_parts, 1), 0) <> 4 OR v_parts[1] <> 's1' OR v_parts[2] <> p_user::text
       OR v_parts[3] !~ '^[0-9]{1,18}$' OR v_parts[4] !~ '^[0-9]{1,17}$' THEN
        RETURN NULL;
    END IF;
    v_from := v_parts[3]::bigint;
    v_since := to_timestamp(v_parts[4]::bigint / 1000000.0);
    IF v_from < u.inbox_sync_floor OR v_from > u.inbox_version THEN
        RETURN NULL;
    END IF;
    -- by the version of each item's last change, cut after p_limit items;
    -- a commit's changes stay together: the page ends before the last
    -- version it reached, unless that is its only one
    SELECT max(x.version), (SELECT count(*) FROM inbox_last_changes(p_user, v_from)) > p_limit
      INTO v_upto, v_more
      FROM (SELECT c.version FROM inbox_last_changes(p_user, v_from) c ORDER BY c.version LIMIT p_limit) x;
    IF v_more THEN
        v_upto := coalesce((SELECT max(c.version) FROM inbox_last_changes(p_user, v_from) c WHERE c.version < v_upto),
                           v_upto);
    END IF;
    SELECT coalesce(json_agg(inbox_item_json(i, d, t, a.name, v_now) ORDER BY i.id), '[]') INTO v_items
      FROM inbox_items i LEFT JOIN documents d ON d.id = i.document_id LEFT JOIN tasks t ON t.id = i.task_id
      LEFT JOIN agencies a ON a.id = d.agency_id
     WHERE i.user_id = p_user
       AND (i.id IN (SELECT c.item_id FROM inbox_last_changes(p_user, v_from) c
                      WHERE c.version <= v_upto AND c.removed IS NULL)
            OR (NOT v_more AND i.box <> 'done' AND i.deadline IS NOT NULL
                AND ((i.deadline > v_since AND i.deadline <= v_now)
                     OR (i.deadline - inbox_due_soon_band() > v_since
                         AND i.deadline - inbox_due_soon_band() <= v_now)))
            -- an open task's status turns overdue at its deadline, in any box
            OR (NOT v_more AND t.active AND t.finished_at IS NULL AND t.deadline > v_since AND t.deadline <= v_now));
    SELECT coalesce(json_agg(json_build_object('item_id', c.item_id, 'document_id', c.document_id, 'reason', c.removed)
                             ORDER BY c.item_id), '[]') INTO v_removed
      FROM inbox_last_changes(p_user, v_from) c
     WHERE c.version <= v_upto AND c.removed IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM inbox_items i WHERE i.id = c.item_id);
    RETURN json_build_object('changed', v_items, 'removed', v_removed, 'has_more', v_more,
                             'next', CASE WHEN v_more THEN inbox_sync_token(p_user, v_upto, v_since)
                                          ELSE inbox_sync_token(p_user, u.inbox_version, v_now) END);
END $$;
