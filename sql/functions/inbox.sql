-- Per-user inbox items: putting a document in a box, marking it done, and
-- noting whose inbox a transaction touched (the API drops those users'
-- cached inbox versions after it commits).

CREATE OR REPLACE FUNCTION inbox_touch(p_user bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE users SET inbox_version = inbox_version + 1 WHERE id = p_user;
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
    IF NEW.box IS DISTINCT FROM OLD.box OR NEW.unread IS DISTINCT FROM OLD.unread THEN
        PERFORM set_config('qlvb.touched', coalesce(nullif(current_setting('qlvb.touched', true), ''), '0')
                           || ',' || NEW.user_id, true);
        UPDATE users SET inbox_version = inbox_version + 1
         WHERE id = NEW.user_id;
    END IF;
    RETURN NEW;
END $$;
