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
$$;

CREATE OR REPLACE FUNCTION inbox_done(p_user bigint, p_doc bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now()
     WHERE user_id = p_user AND document_id = p_doc AND box <> 'done';
    SELECT inbox_touch(p_user);
$$;

-- Items moved without inbox_done (registration by another clerk, signing,
-- issuing, reassignment) touch their users too.
CREATE OR REPLACE FUNCTION inbox_items_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.box IS DISTINCT FROM OLD.box OR NEW.unread IS DISTINCT FROM OLD.unread
       OR NEW.deadline IS DISTINCT FROM OLD.deadline OR NEW.reason IS DISTINCT FROM OLD.reason THEN
        PERFORM inbox_touch(NEW.user_id);
    END IF;
    RETURN NEW;
END $$;

-- A change to what inbox pages show of a document touches every holder.
CREATE OR REPLACE FUNCTION documents_shown_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM inbox_touch(user_id) FROM inbox_items WHERE document_id = NEW.id;
    RETURN NULL;
END $$;

-- At commit (deferred): bumps the version of every touched inbox once, in
-- user id order. The first call of a transaction does it; later calls of
-- the same commit find it done.
CREATE OR REPLACE FUNCTION inbox_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_user bigint;
BEGIN
    IF coalesce(current_setting('qlvb.bumped', true), '') = 'yes'
       OR coalesce(current_setting('qlvb.touched', true), '') = '' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('qlvb.bumped', 'yes', true);
    FOR v_user IN SELECT DISTINCT u::bigint FROM unnest(string_to_array(current_setting('qlvb.touched', true), ',')) u
                   WHERE u::bigint > 0 ORDER BY 1 LOOP
        UPDATE users SET inbox_version = inbox_version + 1 WHERE id = v_user;
    END LOOP;
    RETURN NULL;
END $$;
