-- sql/functions/visibility.sql: who sees a document. The people named on
-- it (author, signer, assignees, anyone it reached through their inbox) and
-- the clerks and leaders of the agency that owns it (deputies as leaders
-- unless the agency says otherwise). State secrets never enter the system. Nothing crosses
-- agencies except by distribution, which makes a new document owned by the
-- recipient agency. Each check lists exactly which demo accounts see.
BEGIN;
SELECT plan(22);

\ir lib/common.psql

-- the documents this file makes, by name
CREATE TEMP TABLE docs (name text PRIMARY KEY, id bigint NOT NULL);
CREATE FUNCTION pg_temp.doc(p_name text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE v bigint;
BEGIN
    SELECT id INTO STRICT v FROM pg_temp.docs WHERE name = p_name;
    RETURN v;
END $$;

-- the demo accounts (sql/seed/demo-users.csv)
CREATE TEMP TABLE demo (username text PRIMARY KEY);
INSERT INTO demo VALUES ('admin'), ('chutich'), ('vp.chuyenvien'),
    ('stp.giamdoc'), ('stp.phogiamdoc'), ('stp.truongphong'), ('stp.chuyenvien'), ('stp.vanthu'),
    ('stttt.giamdoc'), ('stttt.truongphong'), ('stttt.chuyenvien'), ('stttt.vanthu');

-- Which demo accounts see a document, by doc_visible.
CREATE FUNCTION pg_temp.seers(p_doc text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(d.username, ' ' ORDER BY d.username), '(nobody)')
      FROM pg_temp.demo d WHERE doc_visible(pg_temp.uid(d.username), pg_temp.doc(p_doc))
$$;

CREATE FUNCTION pg_temp.assign(VARIADIC p text[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_agg(jsonb_build_object('role', p[i], 'user_id', pg_temp.uid(p[i + 1])))
      FROM generate_series(1, array_length(p, 1), 2) i
$$;

-- an incoming document of Sở Tư pháp, registered by its clerk
INSERT INTO docs VALUES ('incoming', doc_register_incoming(pg_temp.uid('stp.vanthu'),
    '{"type_code": "CV", "subject": "pgTAP: văn bản đến", "issuer_name": "Bộ Tư pháp"}'));
SELECT is(pg_temp.seers('incoming'), 'stp.giamdoc stp.phogiamdoc stp.vanthu',
          'a registered incoming document: its clerk (the author), the leader and the deputy');

SELECT doc_present(pg_temp.uid('stp.vanthu'), pg_temp.doc('incoming'), pg_temp.uid('stp.giamdoc'), NULL);
SELECT doc_direct(pg_temp.uid('stp.giamdoc'), pg_temp.doc('incoming'), 'Giao phòng XDKTVB',
                  pg_temp.assign('main', 'stp.chuyenvien', 'info', 'stp.truongphong'));
SELECT is(pg_temp.seers('incoming'),
          'stp.chuyenvien stp.giamdoc stp.phogiamdoc stp.truongphong stp.vanthu',
          'directed: the named assignees too; nobody of another agency, nor the province''s chairman');

DELETE FROM inbox_items WHERE document_id = pg_temp.doc('incoming') AND user_id = pg_temp.uid('stp.chuyenvien');
SELECT ok(doc_visible(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('incoming')),
          'an assignee sees the document by the assignment alone');

UPDATE agencies SET deputies_act_as_leaders = false WHERE code = '000.00.21.H19' AND valid_to IS NULL;
SELECT is(pg_temp.seers('incoming'), 'stp.chuyenvien stp.giamdoc stp.truongphong stp.vanthu',
          'deputies_act_as_leaders off: the deputy no longer sees the agency''s documents');
UPDATE agencies SET deputies_act_as_leaders = true WHERE code = '000.00.21.H19' AND valid_to IS NULL;

-- a secret document never enters: there is no secrecy branch to test
SELECT throws_ok($$SELECT doc_register_incoming(pg_temp.uid('stp.vanthu'),
    '{"type_code": "CV", "subject": "pgTAP: văn bản mật", "issuer_name": "Bộ Công an", "secrecy": 1}')$$,
    'QP007', NULL, 'a document marked Mật is refused at registration');

-- a draft to Sở Khoa học và Công nghệ and to a body outside the system
INSERT INTO docs VALUES ('draft', doc_create_draft(pg_temp.uid('stp.chuyenvien'),
    '{"type_code": "CV", "subject": "pgTAP: công văn đi",
      "recipients": [{"agency_code": "000.00.23.H19"}, {"name": "Bộ Tư pháp", "code": "000.00.00.G12"}]}'));
SELECT is(pg_temp.seers('draft'), 'stp.chuyenvien stp.giamdoc stp.phogiamdoc stp.vanthu',
          'a draft: its author, the agency''s clerk and leaders; not the recipients');
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('draft'));
SELECT is(pg_temp.seers('draft'), 'stp.chuyenvien stp.giamdoc stp.phogiamdoc stp.truongphong stp.vanthu',
          'submitted: the head of the unit, through the review in the inbox');

SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('draft'), NULL);
SELECT doc_approve(pg_temp.uid('stp.giamdoc'), pg_temp.doc('draft'), NULL);
SELECT doc_sign(pg_temp.uid('stp.giamdoc'), pg_temp.doc('draft'), NULL);
SELECT doc_issue(pg_temp.uid('stp.vanthu'), pg_temp.doc('draft'));
INSERT INTO docs SELECT 'copy', delivered_id FROM document_recipients
 WHERE document_id = pg_temp.doc('draft') AND agency_id IS NOT NULL;

SELECT is(pg_temp.seers('draft'), 'stp.chuyenvien stp.giamdoc stp.phogiamdoc stp.truongphong stp.vanthu',
          'issued: the original stays Sở Tư pháp''s; the recipient agency does not see it');
SELECT results_eq(
    format($$SELECT a.code, d.direction, d.status, d.source_id, d.author_id FROM documents d
               JOIN agencies a ON a.id = d.agency_id WHERE d.id = %s$$, pg_temp.doc('copy')),
    format($$VALUES ('000.00.23.H19', 'in', 'received', %s::bigint, NULL::bigint)$$, pg_temp.doc('draft')),
    'the distributed copy is a new incoming document of the recipient agency, pointing at the original');
SELECT is(pg_temp.seers('copy'), 'stttt.giamdoc stttt.vanthu',
          'the copy: the recipient''s clerk and leader; nobody of Sở Tư pháp, not even its author or signer');
SELECT doc_register_received(pg_temp.uid('stttt.vanthu'), pg_temp.doc('copy'));
SELECT doc_present(pg_temp.uid('stttt.vanthu'), pg_temp.doc('copy'), pg_temp.uid('stttt.giamdoc'), NULL);
SELECT doc_direct(pg_temp.uid('stttt.giamdoc'), pg_temp.doc('copy'), NULL,
                  pg_temp.assign('main', 'stttt.chuyenvien'));
SELECT is(pg_temp.seers('copy'), 'stttt.chuyenvien stttt.giamdoc stttt.vanthu',
          'the copy directed: its assignee too; the admin account of that agency does not see it');
SELECT is(pg_temp.seers('draft'), 'stp.chuyenvien stp.giamdoc stp.phogiamdoc stp.truongphong stp.vanthu',
          'handling the copy shows the original to nobody of the recipient agency');

-- the signer sees a document by the signature alone (a deputy whose agency
-- no longer counts deputies as leaders)
SELECT throws_ok($$SELECT doc_create_draft(pg_temp.uid('stp.chuyenvien'),
    '{"type_code": "BC", "subject": "pgTAP: báo cáo mật", "secrecy": 1}')$$,
    'QP007', NULL, 'a draft marked Mật is refused');
INSERT INTO docs VALUES ('signed-out', doc_create_draft(pg_temp.uid('stp.chuyenvien'),
    '{"type_code": "BC", "subject": "pgTAP: báo cáo đã ký"}'));
SELECT doc_submit(pg_temp.uid('stp.chuyenvien'), pg_temp.doc('signed-out'));
SELECT doc_approve(pg_temp.uid('stp.truongphong'), pg_temp.doc('signed-out'), NULL);
SELECT doc_approve(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('signed-out'), NULL);
SELECT doc_sign(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('signed-out'), NULL);
DELETE FROM inbox_items WHERE document_id = pg_temp.doc('signed-out') AND user_id = pg_temp.uid('stp.phogiamdoc');
UPDATE agencies SET deputies_act_as_leaders = false WHERE code = '000.00.21.H19' AND valid_to IS NULL;
SELECT ok(doc_visible(pg_temp.uid('stp.phogiamdoc'), pg_temp.doc('signed-out')),
          'the signer sees the document by the signature alone');
UPDATE agencies SET deputies_act_as_leaders = true WHERE code = '000.00.21.H19' AND valid_to IS NULL;
SELECT ok(doc_visible(pg_temp.uid('stp.giamdoc'), pg_temp.doc('signed-out')),
          'the leader sees every document of the agency');
SELECT ok(doc_visible(pg_temp.uid('stp.vanthu'), pg_temp.doc('signed-out')),
          'the clerk sees the signed document it must issue');

-- another agency's people see none of Sở Tư pháp's documents
SELECT is_empty(
    $$SELECT u.username, x.name FROM users u JOIN pg_temp.demo USING (username), pg_temp.docs x
       WHERE x.name <> 'copy' AND doc_visible(u.id, x.id)
         AND u.username NOT LIKE 'stp.%'$$,
    'nobody outside Sở Tư pháp sees any of its documents');
SELECT is_empty(
    $$SELECT u.username, x.name FROM users u JOIN pg_temp.demo USING (username), pg_temp.docs x
       WHERE x.name = 'copy' AND doc_visible(u.id, x.id) AND u.username NOT LIKE 'stttt.%'$$,
    'nobody outside Sở Khoa học và Công nghệ sees the copy it received');
SELECT is_empty(
    $$SELECT username FROM pg_temp.demo WHERE username IN ('chutich', 'vp.chuyenvien', 'admin')
         AND EXISTS (SELECT 1 FROM visible_documents(pg_temp.uid(username)) v JOIN pg_temp.docs x USING (id))$$,
    'the province''s chairman, the tracker and the admin see none of them');

-- visible_documents is the rule; doc_visible asks it about one document
SELECT set_eq(
    $$SELECT x.name FROM visible_documents(pg_temp.uid('stttt.vanthu')) v JOIN pg_temp.docs x USING (id)$$,
    ARRAY['copy'], 'visible_documents of the recipient''s clerk: the copy alone');
SELECT set_eq(
    $$SELECT x.name FROM visible_documents(pg_temp.uid('stp.giamdoc')) v JOIN pg_temp.docs x USING (id)$$,
    ARRAY['incoming', 'draft', 'signed-out'], 'visible_documents of the leader: every document of the agency');
SELECT is_empty(
    $$SELECT u.username, x.name FROM users u JOIN pg_temp.demo USING (username), pg_temp.docs x
       WHERE doc_visible(u.id, x.id) <> EXISTS (SELECT 1 FROM visible_documents(u.id) v WHERE v.id = x.id)$$,
    'doc_visible agrees with visible_documents for every demo account and document');

SELECT * FROM finish();
ROLLBACK;
