-- A leader may assign a unit (phòng, ban) instead of a person: the unit's
-- heads receive it, and the assignment remembers the unit.
ALTER TABLE assignments ADD COLUMN unit_id bigint REFERENCES units(id);

CREATE OR REPLACE FUNCTION doc_direct(p_user bigint, p_doc bigint, p_note text, p_assign jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); a jsonb; v_uid bigint; v_unit bigint; v_old record; n int;
BEGIN
    IF NOT has_role(p_user, d.agency_id, ARRAY['leader']) THEN
        PERFORM qv_fail('QV403', 'only a leader of the agency directs');
    END IF;
    IF d.direction <> 'in' OR d.status NOT IN ('presented', 'directed') THEN
        PERFORM qv_fail('QV409', 'the document is not waiting for direction');
    END IF;
    IF (SELECT count(*) FROM jsonb_array_elements(p_assign) x WHERE x->>'role' = 'main') <> 1 THEN
        PERFORM qv_fail('QV422', 'exactly one main handler is required');
    END IF;
    FOR v_old IN SELECT * FROM assignments WHERE document_id = p_doc AND active LOOP
        UPDATE assignments SET active = false WHERE id = v_old.id;
        UPDATE inbox_items SET box = 'done', reason = 'reassigned', updated_at = now()
         WHERE user_id = v_old.user_id AND document_id = p_doc;
    END LOOP;
    FOR a IN SELECT * FROM jsonb_array_elements(p_assign) LOOP
        v_unit := (a->>'unit_id')::bigint;
        IF v_unit IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units WHERE id = v_unit AND agency_id = d.agency_id) THEN
            PERFORM qv_fail('QV422', format('unit %s is not a unit of this agency', v_unit));
        END IF;
        n := 0;
        FOR v_uid IN
            SELECT (a->>'user_id')::bigint WHERE v_unit IS NULL
            UNION
            SELECT m.user_id FROM memberships m
             WHERE v_unit IS NOT NULL AND m.unit_id = v_unit AND m.position IN ('head', 'deputy_head')
        LOOP
            IF NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = v_uid AND agency_id = d.agency_id) THEN
                PERFORM qv_fail('QV422', format('user %s is not in this agency', v_uid));
            END IF;
            INSERT INTO assignments (document_id, user_id, unit_id, role, deadline, assigned_by)
            VALUES (p_doc, v_uid, v_unit, a->>'role', (a->>'deadline')::timestamptz, p_user);
            PERFORM inbox_put(v_uid, p_doc, CASE a->>'role' WHEN 'info' THEN 'info' ELSE 'process' END,
                              a->>'role', (a->>'deadline')::timestamptz);
            n := n + 1;
        END LOOP;
        IF n = 0 THEN
            PERFORM qv_fail('QV422', format('unit %s has no head to receive it', v_unit));
        END IF;
    END LOOP;
    UPDATE documents SET status = 'directed', direction_note = p_note,
           deadline = coalesce((SELECT (x->>'deadline')::timestamptz FROM jsonb_array_elements(p_assign) x
                                 WHERE x->>'role' = 'main'), deadline)
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user,
                    CASE WHEN d.status = 'directed' THEN 'reassigned' ELSE 'directed' END, p_note, p_assign);
    PERFORM inbox_done(p_user, p_doc);
END $$;
