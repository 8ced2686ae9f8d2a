-- sql/functions/workflow.sql: a document's allowed_actions are exactly the
-- actions its steps accept. For documents at every stage of their lives
-- and for people of every position, each action is tried for real (and
-- rolled back): it goes through if and only if doc_allowed_actions lists
-- it. One rule (doc_refusal) behind both, so they never drift apart.
BEGIN;
SELECT plan(3);

\ir lib/common.psql

-- Takes p_action on p_doc as p_user with good arguments, then rolls it
-- back: whether the step accepted it.
CREATE FUNCTION pg_temp.step_ok(p_user bigint, p_doc bigint, p_action text) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        CASE p_action
        WHEN 'register' THEN PERFORM doc_register_received(p_user, p_doc);
        WHEN 'present' THEN
            PERFORM doc_present(p_user, p_doc, (SELECT l.user_id FROM documents d, agency_leaders(d.agency_id) l
                                                 WHERE d.id = p_doc ORDER BY 1 LIMIT 1), NULL);
        WHEN 'direct' THEN
            PERFORM doc_direct(p_user, p_doc, 'pgTAP', jsonb_build_array(jsonb_build_object(
                'role', 'main', 'user_id', (SELECT m.user_id FROM documents d JOIN memberships m
                                             ON m.agency_id = agency_now(d.agency_id)
                                            WHERE d.id = p_doc AND m.position = 'official' ORDER BY 1 LIMIT 1))));
        WHEN 'progress' THEN PERFORM doc_progress(p_user, p_doc, 'read', NULL);
        WHEN 'submit' THEN PERFORM doc_submit(p_user, p_doc);
        WHEN 'approve' THEN PERFORM doc_approve(p_user, p_doc, NULL);
        WHEN 'return' THEN PERFORM doc_return(p_user, p_doc, 'pgTAP');
        WHEN 'sign' THEN PERFORM doc_sign(p_user, p_doc, NULL);
        WHEN 'issue' THEN PERFORM doc_issue(p_user, p_doc);
        WHEN 'recall' THEN PERFORM doc_recall_order(p_user, p_doc, 'pgTAP');
        WHEN 'recall-carry-out' THEN PERFORM doc_recall_carry_out(p_user, p_doc);
        WHEN 'replace' THEN
            PERFORM doc_create_draft(p_user, jsonb_build_object('type_code', (SELECT type_code FROM documents WHERE id = p_doc),
                                                                'subject', 'pgTAP', 'replaces', p_doc));
        WHEN 'correct' THEN
            PERFORM doc_create_draft(p_user, jsonb_build_object('type_code', 'CV', 'subject', 'pgTAP', 'corrects', p_doc));
        END CASE;
        RAISE EXCEPTION USING ERRCODE = 'QZ999', MESSAGE = 'accepted';
    EXCEPTION
        WHEN SQLSTATE 'QZ999' THEN RETURN true;
        WHEN OTHERS THEN
            IF SQLSTATE LIKE 'QP%' THEN       -- a problem of the registry: refused
                RETURN false;
            END IF;
            RAISE;
    END;
END $$;

-- documents at every stage: outgoing of Sở Tư pháp, and their copies in
-- Sở Khoa học và Công nghệ
CREATE TEMP TABLE stage (name text, doc bigint);
CREATE FUNCTION pg_temp.draft(p_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    v := doc_create_draft(pg_temp.uid('stp.chuyenvien'), jsonb_build_object(
        'type_code', 'QD', 'subject', 'pgTAP: ' || p_name, 'recipients', '[{"agency_code": "000.00.23.H19"}]'::jsonb));
    INSERT INTO stage VALUES (p_name, v);
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.copy_of(p_doc bigint, p_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    SELECT delivered_id INTO v FROM document_recipients WHERE document_id = p_doc AND delivered_id IS NOT NULL;
    INSERT INTO stage VALUES (p_name, v);
    RETURN v;
END $$;
DO $$
DECLARE d bigint; c bigint;
BEGIN
    PERFORM pg_temp.draft('draft');
    d := pg_temp.draft('head review');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    d := pg_temp.draft('returned');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    PERFORM doc_return(pg_temp.uid('stp.truongphong'), d, 'pgTAP');
    d := pg_temp.draft('leader review');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), d, NULL);
    d := pg_temp.draft('approved');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), d, NULL);
    PERFORM doc_approve(pg_temp.uid('stp.phogiamdoc'), d, NULL);
    d := pg_temp.draft('signed');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), d, NULL);
    PERFORM doc_approve(pg_temp.uid('stp.giamdoc'), d, NULL);
    PERFORM doc_sign(pg_temp.uid('stp.giamdoc'), d, NULL);
    FOREACH c IN ARRAY ARRAY[1, 2, 3, 4] LOOP
        d := pg_temp.draft(CASE c WHEN 1 THEN 'issued' WHEN 2 THEN 'recall ordered' WHEN 3 THEN 'recalled'
                                  ELSE 'copied' END);
        PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
        PERFORM doc_approve(pg_temp.uid('stp.truongphong'), d, NULL);
        PERFORM doc_approve(pg_temp.uid('stp.giamdoc'), d, NULL);
        PERFORM doc_sign(pg_temp.uid('stp.giamdoc'), d, NULL);
        PERFORM doc_issue(pg_temp.uid('stp.vanthu'), d);
        IF c >= 2 AND c <= 3 THEN
            PERFORM doc_recall_order(pg_temp.uid('stp.giamdoc'), d, 'pgTAP');
        END IF;
        IF c = 3 THEN
            PERFORM doc_recall_carry_out(pg_temp.uid('stp.vanthu'), d);
        END IF;
    END LOOP;
    -- the copy received, registered, presented, directed
    d := (SELECT doc FROM stage WHERE name = 'copied');
    PERFORM pg_temp.copy_of(d, 'copy received');
    d := pg_temp.draft('to register');
    PERFORM doc_submit(pg_temp.uid('stp.chuyenvien'), d);
    PERFORM doc_approve(pg_temp.uid('stp.truongphong'), d, NULL);
    PERFORM doc_approve(pg_temp.uid('stp.giamdoc'), d, NULL);
    PERFORM doc_sign(pg_temp.uid('stp.giamdoc'), d, NULL);
    PERFORM doc_issue(pg_temp.uid('stp.vanthu'), d);
    c := pg_temp.copy_of(d, 'copy registered');
    PERFORM doc_register_received(pg_temp.uid('stttt.vanthu'), c);
    c := doc_register_incoming(pg_temp.uid('stttt.vanthu'),
                               '{"type_code": "CV", "subject": "pgTAP: đến", "issuer_name": "Bộ Tư pháp"}');
    INSERT INTO stage VALUES ('presented', c);
    PERFORM doc_present(pg_temp.uid('stttt.vanthu'), c, pg_temp.uid('stttt.giamdoc'), NULL);
    c := doc_register_incoming(pg_temp.uid('stttt.vanthu'),
                               '{"type_code": "CV", "subject": "pgTAP: đến 2", "issuer_name": "Bộ Tư pháp"}');
    INSERT INTO stage VALUES ('directed', c);
    PERFORM doc_present(pg_temp.uid('stttt.vanthu'), c, pg_temp.uid('stttt.giamdoc'), NULL);
    PERFORM doc_direct(pg_temp.uid('stttt.giamdoc'), c, 'pgTAP',
                       jsonb_build_array(jsonb_build_object('role', 'main', 'user_id', pg_temp.uid('stttt.chuyenvien'))));
END $$;

CREATE TEMP TABLE people (username text);
INSERT INTO people VALUES ('stp.giamdoc'), ('stp.phogiamdoc'), ('stp.truongphong'), ('stp.chuyenvien'), ('stp.vanthu'),
                          ('stttt.giamdoc'), ('stttt.chuyenvien'), ('stttt.vanthu'), ('chutich'), ('admin');
CREATE TEMP TABLE actions (action text);
INSERT INTO actions SELECT unnest(ARRAY['register', 'present', 'direct', 'progress', 'submit', 'approve', 'return',
                                        'sign', 'issue', 'recall', 'recall-carry-out', 'replace', 'correct']);

SELECT is((SELECT count(*) FROM stage), 15::bigint, 'documents at fifteen stages');
SELECT is_empty($$
    SELECT s.name, p.username, a.action, a.action = ANY (doc_allowed_actions(pg_temp.uid(p.username), s.doc)) AS listed
      FROM stage s, people p, actions a
     WHERE (a.action = ANY (doc_allowed_actions(pg_temp.uid(p.username), s.doc)))
           IS DISTINCT FROM pg_temp.step_ok(pg_temp.uid(p.username), s.doc, a.action)
    $$, 'for every stage, person and action: listed in allowed_actions if and only if the step accepts it');
SELECT ok((SELECT count(*) FROM stage s, people p, actions a
            WHERE a.action = ANY (doc_allowed_actions(pg_temp.uid(p.username), s.doc))) >= 15,
          'and many are allowed: the check is not of empty lists');

SELECT * FROM finish();
ROLLBACK;
