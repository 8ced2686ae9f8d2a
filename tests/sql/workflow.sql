-- sql/functions/workflow.sql: who may take each workflow step, in which
-- state, as the demo accounts of Sở Tư pháp (000.00.21.H19) and Sở Thông
-- tin và Truyền thông (000.00.23.H19). A refusal is asserted by the
-- SQLSTATE of its problem in the registry (sql/problems.def):
--   QP001 document-not-found (the caller may not see it)
--   QP002 forbidden          (sees it, may not take this step)
--   QP003 wrong-state        (not in a state this step takes)
--   QP004 invalid-value      (a value the step cannot use)
-- Deputies act as leaders unless agencies.deputies_act_as_leaders is false.
BEGIN;
SELECT plan(167);

\ir lib/common.psql

CREATE FUNCTION pg_temp.unit(p_agency_code text, p_abbr text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE v bigint;
BEGIN
    SELECT u.id INTO STRICT v FROM units u JOIN agencies a ON a.id = u.agency_id
     WHERE a.code = p_agency_code AND a.valid_to IS NULL AND u.abbr = p_abbr;
    RETURN v;
END $$;

-- the documents this file makes, by name
CREATE TEMP TABLE docs (name text PRIMARY KEY, id bigint NOT NULL);
CREATE FUNCTION pg_temp.doc(p_name text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE v bigint;
BEGIN
    SELECT id INTO STRICT v FROM pg_temp.docs WHERE name = p_name;
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.status(p_name text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT status FROM documents WHERE id = pg_temp.doc(p_name)
$$;

-- Assignments: role, username, role, username, ...
CREATE FUNCTION pg_temp.assign(VARIADIC p text[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_agg(jsonb_build_object('role', p[i], 'user_id', pg_temp.uid(p[i + 1])) ORDER BY i)
      FROM generate_series(1, array_length(p, 1), 2) i
$$;

-- An incoming document registered by a clerk, kept under a name.
CREATE FUNCTION pg_temp.incoming(p_name text, p_clerk text DEFAULT 'stp.vanthu') RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO pg_temp.docs
    VALUES (p_name, doc_register_incoming(pg_temp.uid(p_clerk),
                jsonb_build_object('type_code', 'CV', 'subject', 'pgTAP: ' || p_name, 'issuer_name', 'Bộ Tư pháp')))
$$;

-- A draft by an author, kept under a name.
CREATE FUNCTION pg_temp.draft(p_name text, p_author text DEFAULT 'stp.chuyenvien', p_extra jsonb DEFAULT '{}')
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO pg_temp.docs
    VALUES (p_name, doc_create_draft(pg_temp.uid(p_author),
                '{"type_code": "CV"}'::jsonb || jsonb_build_object('subject', 'pgTAP: ' || p_name) || p_extra))
$$;

-- Who the agency's deputies are: leaders or not.
CREATE FUNCTION pg_temp.deputies_act(p_code text, p_on boolean) RETURNS void LANGUAGE sql AS $$
    UPDATE agencies SET deputies_act_as_leaders = p_on WHERE code = p_code AND valid_to IS NULL
$$;

-- The inbox item of a person for a document: box and reason.
CREATE FUNCTION pg_temp.inbox(p_username text, p_name text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT box || ' ' || reason FROM inbox_items
     WHERE user_id = pg_temp.uid(p_username) AND document_id = pg_temp.doc(p_name)
$$;

-- The candidates of the pending review step.
CREATE FUNCTION pg_temp.candidates(p_name text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT s.step || ': ' || string_agg(u.username, ' ' ORDER BY u.username)
      FROM approval_steps s JOIN approval_candidates c ON c.step_id = s.id JOIN users u ON u.id = c.user_id
     WHERE s.document_id = pg_temp.doc(p_name) AND s.status = 'pending'
     GROUP BY s.step
$$;

------------------------------------------------------------------------
-- doc_register_incoming: a clerk, in the agency of the clerk's duty
------------------------------------------------------------------------
SELECT lives_ok($$SELECT pg_temp.incoming('in')$$, 'doc_register_incoming: the clerk stp.vanthu registers');
SELECT results_eq(
    $$SELECT a.code, d.direction, d.status, d.author_id, d.book_number IS NOT NULL
        FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = pg_temp.doc('in')$$,
    $$VALUES ('000.00.21.H19', 'in', 'registered', pg_temp.uid('stp.vanthu'), true)$$,
    'doc_register_incoming: a registered incoming document of Sở Tư pháp with a book number, its clerk the author');
SELECT is(pg_temp.inbox('stp.vanthu', 'in'), 'process present', 'doc_register_incoming: the clerk is to present it next');
SELECT lives_ok($$SELECT pg_temp.incoming('in-stttt', 'stttt.vanthu')$$,
                'doc_register_incoming: the clerk stttt.vanthu registers');
SELECT is((SELECT a.code FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = pg_temp.doc('in-stttt')),
          '000.00.23.H19', 'doc_register_incoming: in the agency of the clerk who registers it');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'stp.chuyenvien')$$, 'QP016', NULL,
                 'doc_register_incoming: an official may not (forbidden)');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'stp.truongphong')$$, 'QP016', NULL,
                 'doc_register_incoming: a head of unit may not');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'stp.giamdoc')$$, 'QP016', NULL,
                 'doc_register_incoming: the leader may not');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'stp.phogiamdoc')$$, 'QP016', NULL,
                 'doc_register_incoming: a deputy may not');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'chutich')$$, 'QP016', NULL,
                 'doc_register_incoming: the province''s chairman may not');
SELECT throws_ok($$SELECT pg_temp.incoming('x', 'vp.chuyenvien')$$, 'QP016', NULL,
                 'doc_register_incoming: a tracker may not');
SELECT throws_ok(
    $$SELECT doc_register_incoming(pg_temp.uid('stp.vanthu'), '{"type_code": "XX", "subject": "pgTAP"}')$$,
    'QP011', 'XX is no document type', 'doc_register_incoming: an unknown type_code is unknown-type-code');

------------------------------------------------------------------------
-- doc_present: a clerk of the owning agency, registered or presented, to a leader
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP001', NULL, 'doc_present: an official, who does not see the document, finds none');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stttt.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP001', NULL, 'doc_present: another agency''s clerk finds none');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP016', NULL, 'doc_present: the leader sees it but may not present it');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP016', NULL, 'doc_present: a deputy may not present');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.truongphong'), NULL)$$,
                 'QP004', NULL, 'doc_present: to a head of unit, who is no leader: invalid value');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stttt.giamdoc'), NULL)$$,
                 'QP004', NULL, 'doc_present: to another agency''s leader: invalid value');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('chutich'), NULL)$$,
                 'QP004', NULL, 'doc_present: to the province''s chairman: invalid value');
SELECT lives_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), 'Kính trình')$$,
                'doc_present: the clerk presents to the leader');
SELECT is(pg_temp.status('in'), 'presented', 'doc_present: the document is presented');
SELECT is(pg_temp.inbox('stp.giamdoc', 'in'), 'process direct', 'doc_present: the leader is to direct it');
SELECT is(pg_temp.inbox('stp.vanthu', 'in'), 'done present', 'doc_present: the clerk''s part is done');
SELECT lives_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.phogiamdoc'), NULL)$$,
                'doc_present: presented again, to the deputy, who acts as a leader');
SELECT pg_temp.deputies_act('000.00.21.H19', false);
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.phogiamdoc'), NULL)$$,
                 'QP004', NULL, 'doc_present: deputies_act_as_leaders off: the deputy is no leader to present to');
SELECT pg_temp.deputies_act('000.00.21.H19', true);

------------------------------------------------------------------------
-- doc_direct: a leader of the owning agency, presented or directed
------------------------------------------------------------------------
SELECT pg_temp.incoming('in-registered');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in-registered'), NULL,
                                     pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP025', NULL, 'doc_direct: a document not yet presented: wrong state');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP017', NULL, 'doc_direct: the clerk sees it but may not direct');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.truongphong'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP001', NULL, 'doc_direct: a head of unit, who does not see it, finds none');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stttt.giamdoc'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP001', NULL, 'doc_direct: another agency''s leader finds none');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('chutich'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP001', NULL, 'doc_direct: the province''s chairman finds none of a department''s documents');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), NULL,
                                     pg_temp.assign('main', 'stp.chuyenvien', 'main', 'stp.truongphong'))$$,
                 'QP004', 'exactly one main handler is required', 'doc_direct: two main handlers: invalid value');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), NULL, pg_temp.assign('info', 'stp.chuyenvien'))$$,
                 'QP004', 'exactly one main handler is required', 'doc_direct: no main handler: invalid value');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stttt.chuyenvien'))$$,
                 'QP004', NULL, 'doc_direct: an assignee of another agency: invalid value');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), NULL,
                       jsonb_build_array(jsonb_build_object('role', 'main', 'unit_id', pg_temp.unit('000.00.23.H19', 'CNTT'))))$$,
                 'QP004', NULL, 'doc_direct: a unit of another agency: invalid value');
SELECT lives_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), 'Phòng XDKTVB xử lý',
                                    pg_temp.assign('main', 'stp.truongphong'))$$,
                'doc_direct: the leader directs');
SELECT is(pg_temp.status('in'), 'directed', 'doc_direct: the document is directed');
SELECT is(pg_temp.inbox('stp.truongphong', 'in'), 'process main', 'doc_direct: the main handler has it to process');
SELECT lives_ok($$SELECT doc_direct(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('in'), 'Giao lại',
                                    pg_temp.assign('main', 'stp.chuyenvien', 'info', 'stp.vanthu'))$$,
                'doc_direct: the deputy, acting as a leader, directs again: a reassignment');
SELECT results_eq(
    $$SELECT u.username, a.role, a.active FROM tasks a JOIN users u ON u.id = a.user_id
       WHERE a.document_id = pg_temp.doc('in') ORDER BY a.id$$,
    $$VALUES ('stp.truongphong', 'main', false), ('stp.chuyenvien', 'main', true), ('stp.vanthu', 'info', true)$$,
    'doc_direct: reassigning ends the earlier assignments and makes the new ones');
SELECT is((SELECT action FROM document_history WHERE document_id = pg_temp.doc('in') ORDER BY id DESC LIMIT 1),
          'reassigned', 'doc_direct: the history says reassigned');
SELECT pg_temp.incoming('in-unit');
SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in-unit'), pg_temp.uid('stp.giamdoc'), NULL);
SELECT lives_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in-unit'), NULL,
                       jsonb_build_array(jsonb_build_object('role', 'main', 'unit_id', pg_temp.unit('000.00.21.H19', 'XDKTVB')),
                                         jsonb_build_object('role', 'coordinate', 'user_id', pg_temp.uid('stp.chuyenvien'))))$$,
                'doc_direct: a unit of the agency may be assigned');
SELECT results_eq(
    $$SELECT u.username, a.role, a.unit_id FROM tasks a JOIN users u ON u.id = a.user_id
       WHERE a.document_id = pg_temp.doc('in-unit') AND a.active ORDER BY a.id$$,
    $$VALUES ('stp.truongphong', 'main', pg_temp.unit('000.00.21.H19', 'XDKTVB')), ('stp.chuyenvien', 'coordinate', NULL)$$,
    'doc_direct: the unit''s head receives it, the assignment remembering the unit');
SELECT pg_temp.incoming('in-deputy');
SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in-deputy'), pg_temp.uid('stp.phogiamdoc'), NULL);
SELECT pg_temp.deputies_act('000.00.21.H19', false);
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('in-deputy'), NULL,
                                     pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP017', NULL, 'doc_direct: deputies_act_as_leaders off: the deputy it was presented to may not direct');
SELECT pg_temp.deputies_act('000.00.21.H19', true);
SELECT lives_ok($$SELECT doc_direct(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('in-deputy'), NULL,
                                    pg_temp.assign('main', 'stp.chuyenvien'))$$,
                'doc_direct: deputies_act_as_leaders on: the deputy directs');

------------------------------------------------------------------------
-- doc_progress: an active assignee, until their part is finished
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_progress(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), 'read', NULL)$$,
                 'QP019', NULL, 'doc_progress: the leader who directed is not an assignee');
SELECT throws_ok($$SELECT doc_progress(pg_temp.uid('stp.truongphong'), pg_temp.doc('in'), 'report', NULL)$$,
                 'QP019', NULL, 'doc_progress: an assignee replaced by a reassignment may no longer act');
SELECT throws_ok($$SELECT doc_progress(pg_temp.uid('stttt.chuyenvien'), pg_temp.doc('in'), 'read', NULL)$$,
                 'QP001', NULL, 'doc_progress: another agency''s official finds none');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), 'read', NULL)$$,
                'doc_progress: the main handler reads');
SELECT results_eq(
    $$SELECT a.status, i.unread FROM tasks a JOIN inbox_items i ON i.user_id = a.user_id AND i.document_id = a.document_id
       WHERE a.document_id = pg_temp.doc('in') AND a.user_id = pg_temp.uid('stp.chuyenvien') AND a.active$$,
    $$VALUES ('read', false)$$, 'doc_progress: read marks the assignment and the inbox item read');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), 'ask', 'Xin ý kiến')$$,
                'doc_progress: the main handler asks back');
SELECT is(pg_temp.inbox('stp.phogiamdoc', 'in'), 'process question', 'doc_progress: the question goes to who assigned it');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), 'report', 'Đang xử lý')$$,
                'doc_progress: the main handler reports');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), 'finish', NULL)$$,
                'doc_progress: an assignee for information finishes');
SELECT is(pg_temp.status('in'), 'directed', 'doc_progress: a part other than the main one leaves the document directed');
SELECT throws_ok($$SELECT doc_progress(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), 'read', NULL)$$,
                 'QP026', NULL, 'doc_progress: a finished part: wrong state');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), 'finish', 'Xong')$$,
                'doc_progress: the main handler finishes');
SELECT is(pg_temp.status('in'), 'done', 'doc_progress: the main part finished, the document is done');
SELECT throws_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in'), 'report', NULL)$$,
                 'QP026', NULL, 'doc_progress: the main handler, finished: wrong state');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP025', NULL, 'doc_direct: a done document: wrong state');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('in'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP024', NULL, 'doc_present: a done document: wrong state');
SELECT lives_ok($$SELECT doc_progress(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in-unit'), 'finish', NULL)$$,
                'doc_progress: a coordinating assignee finishes');
SELECT is(pg_temp.status('in-unit'), 'directed', 'doc_progress: a coordinating part leaves the document directed');

------------------------------------------------------------------------
-- doc_create_draft: a member of an agency, in their agency and unit
------------------------------------------------------------------------
SELECT lives_ok($$SELECT pg_temp.draft('out', 'stp.chuyenvien',
                     '{"recipients": [{"agency_code": "000.00.23.H19"}, {"name": "Bộ Tư pháp", "code": "000.00.00.G12"}]}')$$,
                'doc_create_draft: an official drafts, with recipients inside and outside the system');
SELECT results_eq(
    $$SELECT a.code, d.direction, d.status, d.unit_id, d.author_id FROM documents d JOIN agencies a ON a.id = d.agency_id
       WHERE d.id = pg_temp.doc('out')$$,
    $$VALUES ('000.00.21.H19', 'out', 'draft', pg_temp.unit('000.00.21.H19', 'XDKTVB'), pg_temp.uid('stp.chuyenvien'))$$,
    'doc_create_draft: a draft of the author''s agency and unit');
SELECT is((SELECT count(*)::int FROM document_recipients WHERE document_id = pg_temp.doc('out')), 2,
          'doc_create_draft: both recipients are kept');
SELECT lives_ok($$SELECT pg_temp.draft('out-stttt', 'stttt.chuyenvien')$$, 'doc_create_draft: stttt.chuyenvien drafts');
SELECT is((SELECT a.code FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = pg_temp.doc('out-stttt')),
          '000.00.23.H19', 'doc_create_draft: in the author''s own agency');
INSERT INTO users (username, full_name, password_hash) VALUES ('pgtap.nobody', 'Không thuộc cơ quan nào', 'x');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'pgtap.nobody')$$, 'QP021', NULL,
                 'doc_create_draft: a user of no agency may not draft');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'stp.chuyenvien', '{"type_code": "XX"}')$$, 'QP011', 'XX is no document type',
                 'doc_create_draft: an unknown type_code is unknown-type-code');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'stp.chuyenvien', '{"recipients": [{"agency_code": "999.99.99.H19"}]}')$$,
                 'QP004', NULL, 'doc_create_draft: an unknown recipient agency: invalid value');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'stp.chuyenvien', '{"recipients": [{"agency_code": "000.00.21.H19"}]}')$$,
                 'QP004', 'the drafting agency cannot be its own recipient',
                 'doc_create_draft: its own agency as a recipient: invalid value');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP024', NULL, 'doc_present: an outgoing draft: wrong state');
SELECT throws_ok($$SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL, pg_temp.assign('main', 'stp.chuyenvien'))$$,
                 'QP025', NULL, 'doc_direct: an outgoing draft: wrong state');
SELECT lives_ok($$SELECT pg_temp.draft('x-head', 'stp.truongphong')$$, 'doc_create_draft: a head of unit drafts');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'stp.vanthu')$$, 'QP021', NULL,
                 'doc_create_draft: a clerk does not draft where the agency does not allow it');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'stp.giamdoc')$$, 'QP021', NULL,
                 'doc_create_draft: nor a leader');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'admin')$$, 'QP021', NULL,
                 'doc_create_draft: the technical administrator never drafts');
UPDATE agencies SET leaders_and_clerks_draft = true WHERE valid_to IS NULL;
SELECT lives_ok($$SELECT pg_temp.draft('x-clerk', 'stp.vanthu')$$,
                'doc_create_draft: a clerk drafts where the agency allows it');
SELECT lives_ok($$SELECT pg_temp.draft('x-leader', 'stp.phogiamdoc')$$, 'doc_create_draft: and a leader');
SELECT throws_ok($$SELECT pg_temp.draft('x', 'admin')$$, 'QP021', NULL,
                 'doc_create_draft: the administrator still not');
UPDATE agencies SET leaders_and_clerks_draft = false WHERE valid_to IS NULL;

------------------------------------------------------------------------
-- doc_submit: the author, of a draft or a returned document
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('stp.truongphong'), pg_temp.doc('out'))$$, 'QP001', NULL,
                 'doc_submit: the head of unit does not see a draft before it is submitted');
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'))$$, 'QP018', NULL,
                 'doc_submit: the leader sees the draft but may not submit it');
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'))$$, 'QP018', NULL,
                 'doc_submit: the clerk may not submit it');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP028', NULL,
                 'doc_approve: a draft not submitted: wrong state');
SELECT throws_ok($$SELECT doc_return(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), 'x')$$, 'QP028', NULL,
                 'doc_return: a draft not submitted: wrong state');
SELECT lives_ok($$SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'))$$, 'doc_submit: the author submits');
SELECT is(pg_temp.status('out'), 'in_review', 'doc_submit: the draft is in review');
SELECT results_eq(
    $$SELECT round, seq, step, status FROM approval_steps WHERE document_id = pg_temp.doc('out') ORDER BY seq$$,
    $$VALUES (1, 1, 'head', 'pending'), (1, 2, 'leader', 'waiting')$$,
    'doc_submit: the agency''s review steps, head then leader, the first one open');
SELECT is(pg_temp.candidates('out'), 'head: stp.truongphong', 'doc_submit: the head of the author''s unit reviews first');
SELECT is(pg_temp.inbox('stp.truongphong', 'out'), 'approve head-review', 'doc_submit: in the head''s box to approve');
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'))$$, 'QP027', NULL,
                 'doc_submit: a document in review: wrong state');
UPDATE agencies SET review_steps = '{leader}' WHERE code = '000.00.23.H19' AND valid_to IS NULL;
SELECT lives_ok($$SELECT doc_submit(pg_temp.uid('stttt.chuyenvien'), pg_temp.doc('out-stttt'))$$,
                'doc_submit: stttt.chuyenvien submits in an agency reviewed by its leader alone');
SELECT is(pg_temp.candidates('out-stttt'), 'leader: stttt.giamdoc', 'doc_submit: the review steps are the agency''s');
SELECT pg_temp.draft('out-vp', 'vp.chuyenvien');
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('vp.chuyenvien'), pg_temp.doc('out-vp'))$$, 'QP003',
                 'nobody can take the head review step of this agency',
                 'doc_submit: a unit without a head cannot take the head review step: wrong state');

------------------------------------------------------------------------
-- doc_approve, doc_return: a candidate of the pending review step
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP020', NULL,
                 'doc_approve: the leader may not take the head''s step');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'), NULL)$$, 'QP020', NULL,
                 'doc_approve: the author may not approve');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'), NULL)$$, 'QP020', NULL,
                 'doc_approve: the clerk may not approve');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stttt.truongphong'), pg_temp.doc('out'), NULL)$$, 'QP001', NULL,
                 'doc_approve: another agency''s head finds none');
SELECT throws_ok($$SELECT doc_return(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), 'x')$$, 'QP020', NULL,
                 'doc_return: the leader may not take the head''s step');
SELECT lives_ok($$SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('out'), 'Đồng ý')$$,
                'doc_approve: the head approves');
SELECT is(pg_temp.status('out'), 'in_review', 'doc_approve: still in review, at the next step');
SELECT is(pg_temp.candidates('out'), 'leader: stp.giamdoc stp.phogiamdoc',
          'doc_approve: the leader step opens for the leader and the deputy');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('out'), NULL)$$, 'QP020', NULL,
                 'doc_approve: the head may not take the leader''s step');
SELECT lives_ok($$SELECT doc_return(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('out'), 'Sửa lại căn cứ')$$,
                'doc_return: the deputy, acting as a leader, returns it');
SELECT is(pg_temp.status('out'), 'returned', 'doc_return: the draft is returned');
SELECT is(pg_temp.inbox('stp.chuyenvien', 'out'), 'process returned', 'doc_return: back in the author''s box');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP028', NULL,
                 'doc_approve: a returned document: wrong state');
SELECT throws_ok($$SELECT doc_return(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('out'), 'x')$$, 'QP028', NULL,
                 'doc_return: a returned document: wrong state');
SELECT throws_ok($$SELECT doc_submit(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'))$$, 'QP018', NULL,
                 'doc_submit: the leader may not resubmit it');
SELECT lives_ok($$SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'))$$,
                'doc_submit: the author submits the returned document again');
SELECT is((SELECT max(round) FROM approval_steps WHERE document_id = pg_temp.doc('out')), 2,
          'doc_submit: a second round of review');
SELECT pg_temp.deputies_act('000.00.21.H19', false);
SELECT lives_ok($$SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('out'), NULL)$$,
                'doc_approve: the head approves the second round');
SELECT is(pg_temp.candidates('out'), 'leader: stp.giamdoc',
          'doc_approve: deputies_act_as_leaders off: the leader step opens for the leader alone');
SELECT throws_ok($$SELECT doc_approve(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('out'), NULL)$$, 'QP020', NULL,
                 'doc_approve: deputies_act_as_leaders off: the deputy may not approve');
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'))$$, 'QP030', NULL,
                 'doc_issue: a document in review: wrong state');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP029', NULL,
                 'doc_sign: a document in review: wrong state');
SELECT lives_ok($$SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), 'Trình ký')$$,
                'doc_approve: the leader approves the last step');
SELECT is(pg_temp.status('out'), 'approved', 'doc_approve: the last step approved, the draft is approved');
SELECT is(pg_temp.inbox('stp.giamdoc', 'out'), 'approve sign', 'doc_approve: the leader who approved last is to sign');
SELECT throws_ok($$SELECT doc_return(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), 'x')$$, 'QP028', NULL,
                 'doc_return: an approved document: wrong state');

------------------------------------------------------------------------
-- doc_sign: a leader of the agency (a deputy on behalf), an approved draft
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'))$$, 'QP030', NULL,
                 'doc_issue: an approved document not signed: wrong state');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('out'), NULL)$$, 'QP017', NULL,
                 'doc_sign: deputies_act_as_leaders off: the deputy may not sign');
SELECT pg_temp.deputies_act('000.00.21.H19', true);
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.truongphong'), pg_temp.doc('out'), NULL)$$, 'QP017', NULL,
                 'doc_sign: the head of unit, a reviewer, may not sign');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'), NULL)$$, 'QP017', NULL,
                 'doc_sign: the author may not sign');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'), NULL)$$, 'QP017', NULL,
                 'doc_sign: the clerk may not sign');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stttt.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP001', NULL,
                 'doc_sign: another agency''s leader finds none');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('chutich'), pg_temp.doc('out'), NULL)$$, 'QP001', NULL,
                 'doc_sign: the province''s chairman finds none');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), -1)$$, 'QP004', NULL,
                 'doc_sign: a signed file that is not this document''s: invalid value');
SELECT lives_ok($$SELECT doc_sign(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('out'), NULL)$$,
                'doc_sign: the deputy signs on behalf (KT.)');
SELECT results_eq($$SELECT status, signed_by FROM documents WHERE id = pg_temp.doc('out')$$,
                  $$VALUES ('signed', pg_temp.uid('stp.phogiamdoc'))$$, 'doc_sign: signed, by the deputy');
SELECT is(pg_temp.inbox('stp.vanthu', 'out'), 'process issue', 'doc_sign: the clerk is to issue it');
SELECT throws_ok($$SELECT doc_sign(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), NULL)$$, 'QP029', NULL,
                 'doc_sign: a signed document: wrong state');

------------------------------------------------------------------------
-- doc_issue: a clerk of the agency, a signed document
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('out'))$$, 'QP016', NULL,
                 'doc_issue: the author may not issue');
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'))$$, 'QP016', NULL,
                 'doc_issue: the leader may not issue');
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stttt.vanthu'), pg_temp.doc('out'))$$, 'QP001', NULL,
                 'doc_issue: the recipient agency''s clerk finds none');
SELECT lives_ok($$SELECT doc_issue(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'))$$, 'doc_issue: the clerk issues');
SELECT results_eq(
    $$SELECT status, number_notation ~ '^[0-9]{2,}/STP-XDKTVB$', issued_at IS NOT NULL FROM documents WHERE id = pg_temp.doc('out')$$,
    $$VALUES ('issued', true, true)$$, 'doc_issue: issued, a công văn notated NN/STP-XDKTVB');
SELECT is((SELECT count(*)::int FROM exchange_outbox WHERE document_id = pg_temp.doc('out')), 1,
          'doc_issue: the recipient outside the system waits in the exchange outbox');
INSERT INTO docs SELECT 'copy', delivered_id FROM document_recipients WHERE document_id = pg_temp.doc('out') AND agency_id IS NOT NULL;
SELECT results_eq(
    $$SELECT a.code, d.status, d.source_id FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = pg_temp.doc('copy')$$,
    $$VALUES ('000.00.23.H19', 'received', pg_temp.doc('out'))$$,
    'doc_issue: the recipient agency receives a copy of its own');
SELECT is(pg_temp.inbox('stttt.vanthu', 'copy'), 'process register', 'doc_issue: the recipient''s clerk is to register it');
SELECT throws_ok($$SELECT doc_issue(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'))$$, 'QP030', NULL,
                 'doc_issue: an issued document: wrong state');

------------------------------------------------------------------------
-- doc_register_received: a clerk of the receiving agency, a received copy
------------------------------------------------------------------------
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stttt.vanthu'), pg_temp.doc('copy'), pg_temp.uid('stttt.giamdoc'), NULL)$$,
                 'QP024', NULL, 'doc_present: a received copy not yet registered: wrong state');
SELECT throws_ok($$SELECT doc_register_received(pg_temp.uid('stp.vanthu'), pg_temp.doc('copy'))$$, 'QP001', NULL,
                 'doc_register_received: the issuing agency''s clerk finds none');
SELECT throws_ok($$SELECT doc_register_received(pg_temp.uid('stttt.chuyenvien'), pg_temp.doc('copy'))$$, 'QP001', NULL,
                 'doc_register_received: an official of the receiving agency finds none');
SELECT throws_ok($$SELECT doc_register_received(pg_temp.uid('stttt.giamdoc'), pg_temp.doc('copy'))$$, 'QP016', NULL,
                 'doc_register_received: the receiving agency''s leader sees it but may not register it');
SELECT lives_ok($$SELECT doc_register_received(pg_temp.uid('stttt.vanthu'), pg_temp.doc('copy'))$$,
                'doc_register_received: the receiving agency''s clerk registers it');
SELECT results_eq(
    $$SELECT d.status, d.author_id, b.direction, a.code FROM documents d JOIN books b ON b.id = d.book_id
        JOIN agencies a ON a.id = b.agency_id WHERE d.id = pg_temp.doc('copy')$$,
    $$VALUES ('registered', pg_temp.uid('stttt.vanthu'), 'in', '000.00.23.H19')$$,
    'doc_register_received: registered in the receiving agency''s incoming book');
SELECT throws_ok($$SELECT doc_register_received(pg_temp.uid('stttt.vanthu'), pg_temp.doc('copy'))$$, 'QP023', NULL,
                 'doc_register_received: a registered copy: wrong state');
SELECT throws_ok($$SELECT doc_register_received(pg_temp.uid('stp.vanthu'), pg_temp.doc('in-registered'))$$, 'QP023', NULL,
                 'doc_register_received: a document registered on arrival: wrong state');
SELECT throws_ok($$SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('out'), pg_temp.uid('stp.giamdoc'), NULL)$$,
                 'QP024', NULL, 'doc_present: an issued outgoing document: wrong state');

------------------------------------------------------------------------
-- doc_file_allowed: the author of a draft, a clerk on an incoming
-- document, a leader adding the signed version; refusals are forbidden
-- (QP002) in every state too
------------------------------------------------------------------------
SELECT lives_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.vanthu'), pg_temp.doc('in-registered'), 'body')$$,
                'doc_file_allowed: the clerk adds the body of an incoming document');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('in-registered'), 'attachment')$$,
                 'QP016', NULL, 'doc_file_allowed: the leader may not add files to an incoming document');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('in-unit'), 'attachment')$$,
                 'QP016', NULL, 'doc_file_allowed: an assignee may not add files to an incoming document');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stttt.vanthu'), pg_temp.doc('in-registered'), 'body')$$,
                 'QP001', NULL, 'doc_file_allowed: another agency''s clerk finds none');
SELECT pg_temp.draft('files');
SELECT lives_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'), 'body')$$,
                'doc_file_allowed: the author adds the body of a draft');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.vanthu'), pg_temp.doc('files'), 'attachment')$$,
                 'QP018', NULL, 'doc_file_allowed: the clerk may not add files to a draft');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), 'body')$$,
                 'QP018', NULL, 'doc_file_allowed: the leader may not add the body of a draft');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), 'signed')$$,
                 'QP029', NULL, 'doc_file_allowed: no signed version of a draft');
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'));
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'), 'body')$$,
                 'QP027', NULL, 'doc_file_allowed: the author may not change a draft in review');
SELECT doc_return(pg_temp.uid('stp.truongphong'), pg_temp.doc('files'), 'Bổ sung phụ lục');
SELECT lives_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'), 'attachment')$$,
                'doc_file_allowed: the author adds files to a returned draft');
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'));
SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('files'), NULL);
SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), NULL);
SELECT lives_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), 'signed')$$,
                'doc_file_allowed: the leader adds the signed version of an approved draft');
SELECT lives_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('files'), 'signed')$$,
                'doc_file_allowed: so does the deputy');
SELECT pg_temp.deputies_act('000.00.21.H19', false);
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('files'), 'signed')$$,
                 'QP017', NULL, 'doc_file_allowed: deputies_act_as_leaders off: not the deputy');
SELECT pg_temp.deputies_act('000.00.21.H19', true);
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.truongphong'), pg_temp.doc('files'), 'signed')$$,
                 'QP017', NULL, 'doc_file_allowed: the head of unit may not add the signed version');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('out'), 'signed')$$,
                 'QP006', NULL, 'doc_file_allowed: an issued document is frozen');
SELECT doc_sign(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), NULL);
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.giamdoc'), pg_temp.doc('files'), 'signed')$$,
                 'QP006', NULL, 'doc_file_allowed: once signed, no new signed version');
SELECT throws_ok($$SELECT doc_file_allowed(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('files'), 'body')$$,
                 'QP006', NULL, 'doc_file_allowed: once signed, no new body');

SELECT * FROM finish();
ROLLBACK;
