-- The document workflow, one function per step. Each checks who may act and
-- in which state, writes the history (which bumps the document's version,
-- the ETag), moves inbox items, and raises a problem of the registry by its
-- slug (sql/problems.def): document-not-found, forbidden, wrong-state,
-- invalid-value.

CREATE OR REPLACE FUNCTION history_bumps_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE documents SET version = version + 1, updated_at = qlvb_now() WHERE id = NEW.document_id;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION doc_log(p_doc bigint, p_user bigint, p_action text, p_note text, p_detail jsonb)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO document_history (document_id, actor_id, action, note, detail)
    VALUES (p_doc, p_user, p_action, p_note, p_detail)
$$;

-- Locks a document the user may see, or raises document-not-found; a
-- recalled document (the issuer's, or a copy) takes no step any more.
CREATE OR REPLACE FUNCTION doc_lock(p_user bigint, p_doc bigint) RETURNS documents LANGUAGE plpgsql AS $$
DECLARE d documents;
BEGIN
    IF NOT doc_visible(p_user, p_doc) THEN
        PERFORM problem_raise('document-not-found', 'no such document', 'không có văn bản này');
    END IF;
    SELECT * INTO d FROM documents WHERE id = p_doc FOR UPDATE;
    IF d.recall_status = 'recalled' THEN
        PERFORM problem_raise('document-recalled', 'the document was recalled: it takes no step any more',
                              'văn bản đã bị thu hồi: không còn bước xử lý nào');
    END IF;
    RETURN d;
END $$;

-- The document's ETag as the user sees it: it changes with every change of
-- the document (each step writes the history, which bumps the version), and
-- with the actions the user may take on it.
-- An action sent with If-Match is refused unless it equals this.
CREATE OR REPLACE FUNCTION doc_etag(p_user bigint, p_doc bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT doc_etag_of(d.id, d.version, doc_allowed_actions(p_user, p_doc)) FROM documents d WHERE d.id = p_doc
$$;

-- The ETag's form: "d<id>-<version>-<hash of the allowed actions>".
CREATE OR REPLACE FUNCTION doc_etag_of(p_doc bigint, p_version bigint, p_actions text[]) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT '"d' || p_doc || '-' || p_version || '-' || left(md5(array_to_string(p_actions, ',')), 8) || '"'
$$;

-- The document's version tag, "d<id>-<version>": what an inbox item
-- carries for If-Match (cheap for a page of items); If-Match takes it as
-- it takes the full ETag, since both name the same version.
CREATE OR REPLACE FUNCTION doc_version_tag(p_doc bigint, p_version bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT '"d' || p_doc || '-' || p_version || '"'
$$;

-- Whether a person may draft: officials and heads of units of their agency;
-- leaders and clerks where the agency allows it; the technical
-- administrator never. NULL when they may, else {problem, detail, its
-- Vietnamese}.
CREATE OR REPLACE FUNCTION draft_refusal(p_user bigint) RETURNS text[] LANGUAGE plpgsql STABLE AS $$
DECLARE m memberships;
BEGIN
    SELECT * INTO m FROM memberships WHERE user_id = p_user ORDER BY is_primary DESC, id LIMIT 1;
    IF m.id IS NULL THEN
        RETURN ARRAY['may-not-draft', 'you belong to no agency', 'bạn không thuộc cơ quan nào'];
    END IF;
    IF m.position = 'admin' OR 'admin' = ANY (m.roles) THEN
        RETURN ARRAY['may-not-draft', 'the technical administrator does not draft documents', 'quản trị kỹ thuật không soạn thảo văn bản'];
    END IF;
    IF m.position NOT IN ('official', 'head', 'deputy_head')
       AND NOT (m.position IN ('leader', 'deputy_leader', 'clerk')
                AND (SELECT leaders_and_clerks_draft FROM agencies WHERE id = m.agency_id)) THEN
        RETURN ARRAY['may-not-draft', 'drafts are written by officials and heads of units of the agency', 'dự thảo do chuyên viên và lãnh đạo đơn vị của cơ quan soạn'];
    END IF;
    RETURN NULL;
END $$;

-- The rule of each action on a document: who may take it, in which state.
-- NULL when p_user may take p_action on d now, else {problem, detail,
-- detail in Vietnamese}.
-- The steps raise what it says (doc_guard), and a document's
-- allowed_actions are the actions it lets through: one rule for both.
-- (What an action's body must hold, a leader named or a reason given, is
-- checked by the step itself.) What the rules ask about the person is
-- looked up once per call, so that all the actions of a document cost one
-- look.
CREATE OR REPLACE FUNCTION doc_refusals(p_user bigint, d documents, p_actions text[]) RETURNS text[][]
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_clerk boolean := has_role(p_user, d.agency_id, ARRAY['clerk']);
    v_leader boolean := is_leader(p_user, d.agency_id);
    v_assignment text;                 -- the status of the user's active part, or NULL
    v_pending boolean;                 -- a review step is pending
    v_candidate boolean;               -- the user may take it
    v_draft text[];
    v_action text;
    v_out text[][] := '{}';
    v_why text[];
BEGIN
    SELECT a.status INTO v_assignment FROM tasks a
     WHERE a.document_id = d.id AND a.user_id = p_user AND a.active ORDER BY a.id DESC LIMIT 1;
    SELECT true, EXISTS (SELECT 1 FROM approval_candidates c WHERE c.step_id = s.id AND c.user_id = p_user)
      INTO v_pending, v_candidate
      FROM approval_steps s WHERE s.document_id = d.id AND s.status = 'pending' ORDER BY s.round DESC, s.seq LIMIT 1;
    FOREACH v_action IN ARRAY p_actions LOOP
        v_why := NULL;
        IF d.recall_status = 'recalled' THEN
            v_why := ARRAY['document-recalled', 'the document was recalled: it takes no step any more', 'văn bản đã bị thu hồi: không còn bước xử lý nào'];
        ELSE
            CASE v_action
            WHEN 'register' THEN
                IF NOT v_clerk THEN
                    v_why := ARRAY['not-a-clerk', 'only a clerk of the receiving agency registers it', 'chỉ văn thư của cơ quan nhận đăng ký văn bản này'];
                ELSIF d.status <> 'received' THEN
                    v_why := ARRAY['already-registered', 'the document is already registered', 'văn bản đã được đăng ký'];
                END IF;
            WHEN 'present' THEN
                IF NOT v_clerk THEN
                    v_why := ARRAY['not-a-clerk', 'only a clerk presents documents', 'chỉ văn thư trình văn bản'];
                ELSIF d.direction <> 'in' OR d.status NOT IN ('registered', 'presented') THEN
                    v_why := ARRAY['not-awaiting-presentation', 'only a registered incoming document can be presented', 'chỉ văn bản đến đã đăng ký mới được trình'];
                END IF;
            WHEN 'direct' THEN
                IF NOT v_leader THEN
                    v_why := ARRAY['not-a-leader', 'only a leader of the agency directs', 'chỉ lãnh đạo cơ quan cho ý kiến chỉ đạo'];
                ELSIF d.direction <> 'in' OR d.status NOT IN ('presented', 'directed') THEN
                    v_why := ARRAY['not-awaiting-direction', 'the document is not waiting for direction', 'văn bản không chờ ý kiến chỉ đạo'];
                END IF;
            WHEN 'progress' THEN
                IF v_assignment IS NULL THEN
                    v_why := ARRAY['not-assigned', 'you are not assigned to this document', 'bạn không được giao xử lý văn bản này'];
                ELSIF v_assignment = 'done' THEN
                    v_why := ARRAY['part-finished', 'your part is already finished', 'phần việc của bạn đã hoàn thành'];
                END IF;
            WHEN 'submit' THEN
                IF d.author_id IS DISTINCT FROM p_user THEN
                    v_why := ARRAY['not-the-author', 'only the author submits a draft', 'chỉ người soạn thảo trình dự thảo'];
                ELSIF d.status NOT IN ('draft', 'returned') THEN
                    v_why := ARRAY['not-a-draft', 'only a draft or a returned document can be submitted', 'chỉ dự thảo hoặc văn bản bị trả lại mới được trình duyệt'];
                END IF;
            WHEN 'approve', 'return' THEN
                IF v_pending IS NULL THEN
                    v_why := ARRAY['not-in-review', 'the document is not waiting for a review', 'văn bản không chờ duyệt'];
                ELSIF NOT v_candidate THEN
                    v_why := ARRAY['not-your-review', 'this review step is not yours', 'bước duyệt này không phải của bạn'];
                END IF;
            WHEN 'sign' THEN
                IF NOT v_leader THEN
                    v_why := ARRAY['not-a-leader', 'only a leader of the agency signs', 'chỉ lãnh đạo cơ quan ký văn bản'];
                ELSIF d.status <> 'approved' THEN
                    v_why := ARRAY['not-approved', 'only an approved draft can be signed', 'chỉ dự thảo đã được duyệt mới được ký'];
                END IF;
            WHEN 'issue' THEN
                IF NOT v_clerk THEN
                    v_why := ARRAY['not-a-clerk', 'only a clerk of the agency issues documents', 'chỉ văn thư của cơ quan phát hành văn bản'];
                ELSIF d.status <> 'signed' THEN
                    v_why := ARRAY['not-signed', 'only a signed document can be issued', 'chỉ văn bản đã ký mới được phát hành'];
                END IF;
            WHEN 'recall' THEN
                IF d.signed_by IS DISTINCT FROM p_user AND NOT v_leader THEN
                    v_why := ARRAY['may-not-recall', 'a recall is ordered by the signer or a leader of the agency', 'việc thu hồi do người ký hoặc lãnh đạo cơ quan quyết định'];
                ELSIF d.direction <> 'out' OR d.status <> 'issued' OR d.recall_status IS NOT NULL THEN
                    v_why := ARRAY['not-issued', 'only an issued document not recalled yet can be recalled', 'chỉ văn bản đã phát hành và chưa bị thu hồi mới thu hồi được'];
                END IF;
            WHEN 'recall-carry-out' THEN
                IF NOT v_clerk THEN
                    v_why := ARRAY['not-a-clerk', 'a recall is carried out by a clerk of the agency', 'việc thu hồi do văn thư của cơ quan thực hiện'];
                ELSIF d.recall_status IS DISTINCT FROM 'ordered' THEN
                    v_why := ARRAY['no-recall-ordered', 'no recall of this document is waiting to be carried out', 'không có lệnh thu hồi văn bản này đang chờ thực hiện'];
                END IF;
            WHEN 'replace', 'correct' THEN
                -- a new draft that replaces (an error of content) or
                -- corrects (an error of form) an issued document of the
                -- drafter's agency
                IF d.direction <> 'out' OR d.status <> 'issued' OR d.replaced_by_id IS NOT NULL THEN
                    v_why := ARRAY['invalid-value', 'a replacement or a correction is of an issued document of your '
                                                    'agency, not recalled or replaced',
                                   'văn bản thay thế hoặc đính chính là của một văn bản đã phát hành của cơ quan bạn, '
                                   'chưa bị thu hồi hay thay thế'];
                ELSE
                    v_draft := coalesce(v_draft, draft_refusal(p_user), '{}');
                    IF v_draft <> '{}' THEN
                        v_why := v_draft;
                    ELSIF agency_now(d.agency_id) IS DISTINCT FROM
                          (SELECT agency_id FROM memberships WHERE user_id = p_user ORDER BY is_primary DESC, id LIMIT 1) THEN
                        v_why := ARRAY['invalid-value', 'a replacement or a correction is of an issued document of '
                                                        'your agency, not recalled or replaced',
                                       'văn bản thay thế hoặc đính chính là của một văn bản đã phát hành của cơ quan bạn, '
                                       'chưa bị thu hồi hay thay thế'];
                    END IF;
                END IF;
            ELSE
                v_why := ARRAY['invalid-value', format('no action %s', v_action), format('không có thao tác %s', v_action)];
            END CASE;
        END IF;
        v_out := v_out || ARRAY[coalesce(v_why, ARRAY[NULL, NULL, NULL]::text[])];
    END LOOP;
    RETURN v_out;
END $$;

-- One action's refusal: NULL when p_user may take it, else {problem, detail}.
CREATE OR REPLACE FUNCTION doc_refusal(p_user bigint, d documents, p_action text) RETURNS text[]
    LANGUAGE plpgsql STABLE AS $$
DECLARE v text[][] := doc_refusals(p_user, d, ARRAY[p_action]);
BEGIN
    RETURN CASE WHEN v[1][1] IS NULL THEN NULL ELSE ARRAY[v[1][1], v[1][2], v[1][3]] END;
END $$;

-- Raises what doc_refusal says, if anything.
CREATE OR REPLACE FUNCTION doc_guard(p_user bigint, d documents, p_action text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v text[] := doc_refusal(p_user, d, p_action);
BEGIN
    IF v IS NOT NULL THEN
        PERFORM problem_raise(v[1], v[2], v[3]);
    END IF;
END $$;

-- The actions p_user may take on a document now, by the rules the steps
-- apply (doc_refusal), in the order of its life.
CREATE OR REPLACE FUNCTION doc_allowed_actions(p_user bigint, p_doc bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    d documents;
    v_all text[] := ARRAY['register', 'present', 'direct', 'progress', 'submit', 'approve', 'return', 'sign', 'issue',
                          'recall', 'recall-carry-out', 'replace', 'correct'];
    v text[][];
    v_out text[] := '{}';
BEGIN
    SELECT * INTO d FROM documents WHERE id = p_doc;
    IF d.id IS NULL THEN
        RETURN v_out;
    END IF;
    v := doc_refusals(p_user, d, v_all);
    FOR i IN 1 .. array_length(v_all, 1) LOOP
        IF v[i][1] IS NULL THEN
            v_out := v_out || v_all[i];
        END IF;
    END LOOP;
    RETURN v_out;
END $$;

-- State secrets stay out of this system (migration 0018): a document marked
-- Mật, Tối mật or Tuyệt mật is refused, saying why and where it is kept.
CREATE OR REPLACE FUNCTION state_secret_refused(f jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce((f->>'secrecy')::int, 0) > 0 THEN
        PERFORM problem_raise('state-secret',
            'a document marked Mật, Tối mật or Tuyệt mật is not kept in this system: the law forbids keeping '
            'state secrets on a networked computer (Law 117/2025/QH15, art. 5); register it in the agency''s '
            'state-secret register or its dedicated secret-document system',
            'văn bản Mật, Tối mật, Tuyệt mật không được lưu trong hệ thống này: luật cấm lưu giữ bí mật nhà nước '
            'trên máy tính nối mạng (Luật 117/2025/QH15, điều 5); hãy đăng ký vào sổ bí mật nhà nước của cơ quan '
            'hoặc hệ thống văn bản mật riêng', '/secrecy');
    END IF;
END $$;

-- An incoming document of the clerk's agency that f looks like (registered
-- before): the same electronic identifier, or the same number and the same
-- notation, each as stored apart (given apart, or split from
-- number_notation as doc_register_incoming splits it), from the same
-- issuer (its agency code when both have one, else its name) in the same
-- year; names and notations compared as notation_key() does.
CREATE OR REPLACE FUNCTION incoming_duplicate_of(p_user bigint, f jsonb) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT d.id FROM documents d
     WHERE d.agency_id = acting_agency(p_user, ARRAY['clerk']) AND d.direction = 'in' AND d.book_id IS NOT NULL
       AND ((f->>'external_id' IS NOT NULL AND d.external_id = f->>'external_id')
            OR (number_key(d.number) IS NOT DISTINCT FROM
                    number_key(coalesce(f->>'number', number_part(f->>'number_notation')))
                AND notation_key(d.notation) = notation_key(coalesce(f->>'notation', notation_part(f->>'number_notation')))
                AND extract(year FROM d.doc_date) = extract(year FROM (f->>'doc_date')::date)
                AND CASE WHEN d.issuer_code IS NOT NULL AND f->>'issuer_code' IS NOT NULL
                         THEN d.issuer_code = f->>'issuer_code'
                         ELSE notation_key(d.issuer_name) = notation_key(f->>'issuer_name') END))
     ORDER BY d.id LIMIT 1
$$;

-- A clerk registers a document that arrived (on paper or by e-mail).
CREATE OR REPLACE FUNCTION doc_register_incoming(p_user bigint, f jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_agency bigint := acting_agency(p_user, ARRAY['clerk']);
    v_book bigint;
    v_num record;
    v_id bigint;
BEGIN
    IF v_agency IS NULL THEN
        PERFORM problem_raise('not-a-clerk', 'only a clerk registers incoming documents', 'chỉ văn thư đăng ký văn bản đến');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM document_types WHERE code = f->>'type_code') THEN
        PERFORM problem_raise('unknown-type-code', format('%s is no document type', f->>'type_code'),
                              format('không có loại văn bản %s', f->>'type_code'), '/type_code');
    END IF;
    PERFORM state_secret_refused(f);
    -- number and notation given apart say what number_notation says
    -- (spaces aside: "07 / UBND-KT" reads as 07 and UBND-KT)
    IF f->>'number' IS NOT NULL AND f->>'notation' IS NOT NULL
       AND notation_key(regexp_replace(f->>'number_notation', '\s', '', 'g'))
           NOT IN (notation_key(regexp_replace((f->>'number') || '/' || (f->>'notation'), '\s', '', 'g')),
                   notation_key(regexp_replace((f->>'number') || '-' || (f->>'notation'), '\s', '', 'g'))) THEN
        PERFORM problem_raise('invalid-value', format('number_notation %s does not read as number %s and notation %s',
                                                      f->>'number_notation', f->>'number', f->>'notation'),
                              format('số và ký hiệu %s không khớp với số %s và ký hiệu %s',
                                     f->>'number_notation', f->>'number', f->>'notation'), '/number_notation');
    END IF;
    -- the issuer is an agency of the directory (by its code) or a free name
    IF f->>'issuer_code' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agencies WHERE code = f->>'issuer_code') THEN
        PERFORM problem_raise('invalid-value',
            format('issuer_code %s is no agency of the directory; give an issuer outside it by issuer_name alone',
                   f->>'issuer_code'),
            format('issuer_code %s không phải cơ quan trong danh bạ; cơ quan ngoài danh bạ chỉ ghi issuer_name',
                   f->>'issuer_code'), '/issuer_code');
    END IF;
    v_book := book_in(v_agency);
    SELECT * INTO v_num FROM book_take_number(v_book);
    INSERT INTO documents (agency_id, direction, status, type_code, subject, urgency, secrecy, pages,
                           signer_name, doc_date, number_notation, issuer_name, issuer_code,
                           book_id, book_year, book_number, received_at, deadline, author_id, external_id,
                           number, notation, duplicate_of)
    VALUES (v_agency, 'in', 'registered', f->>'type_code', f->>'subject',
            coalesce((f->>'urgency')::smallint, 0), coalesce((f->>'secrecy')::smallint, 0),
            (f->>'pages')::int, f->>'signer_name', (f->>'doc_date')::date, f->>'number_notation',
            f->>'issuer_name', f->>'issuer_code', v_book, v_num.year, v_num.number,
            coalesce((f->>'received_at')::timestamptz, qlvb_now()), (f->>'deadline')::timestamptz, p_user,
            f->>'external_id',
            coalesce(f->>'number', number_part(f->>'number_notation')),
            coalesce(f->>'notation', notation_part(f->>'number_notation')),
            -- registered all the same after the duplicate warning: what it looked like
            CASE WHEN coalesce((f->>'duplicate_ok')::boolean, false) THEN incoming_duplicate_of(p_user, f) END)
    RETURNING id INTO v_id;
    PERFORM doc_log(v_id, p_user, 'registered', NULL,
                    jsonb_build_object('book_year', v_num.year, 'book_number', v_num.number));
    PERFORM inbox_put(p_user, v_id, 'process', 'present', NULL);
    RETURN v_id;
END $$;

-- A clerk registers a copy that another agency's issue put in the queue.
CREATE OR REPLACE FUNCTION doc_register_received(p_user bigint, p_doc bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); v_book bigint; v_num record;
BEGIN
    PERFORM doc_guard(p_user, d, 'register');
    v_book := book_in(d.agency_id);
    SELECT * INTO v_num FROM book_take_number(v_book);
    UPDATE documents SET status = 'registered', book_id = v_book, book_year = v_num.year,
                         book_number = v_num.number, author_id = p_user
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'registered', NULL,
                    jsonb_build_object('book_year', v_num.year, 'book_number', v_num.number));
    -- the other clerks of the agency no longer need to act on it
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now()
     WHERE document_id = p_doc AND user_id <> p_user AND box = 'process';
    PERFORM inbox_put(p_user, p_doc, 'process', 'present', NULL);
END $$;

-- The clerk presents a registered document to a leader of the agency.
CREATE OR REPLACE FUNCTION doc_present(p_user bigint, p_doc bigint, p_leader bigint, p_note text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc);
BEGIN
    PERFORM doc_guard(p_user, d, 'present');
    IF NOT is_leader(p_leader, d.agency_id) OR NOT user_active(p_leader) THEN
        PERFORM problem_raise('invalid-value', 'leader_id is not a leader of this agency',
                              'leader_id không phải lãnh đạo của cơ quan này', '/leader_id');
    END IF;
    UPDATE documents SET status = 'presented' WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'presented', p_note, jsonb_build_object('leader_id', p_leader));
    PERFORM inbox_done(p_user, p_doc);
    PERFORM inbox_put(p_leader, p_doc, 'process', 'direct', d.deadline);
END $$;

-- A leader directs: the note and who handles it (main, coordinate, info),
-- each with a deadline; a unit (phòng, ban) may be assigned instead of a
-- person, and its heads receive it. Directing again reassigns.
CREATE OR REPLACE FUNCTION doc_direct(p_user bigint, p_doc bigint, p_note text, p_assign jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); a jsonb; v_uid bigint; v_unit bigint; v_old record; n int;
        v_twice text; v_i int; v_deadline timestamptz; v_task bigint; v_main bigint;
BEGIN
    PERFORM doc_guard(p_user, d, 'direct');
    IF (SELECT count(*) FROM jsonb_array_elements(p_assign) x WHERE x->>'role' = 'main') <> 1 THEN
        PERFORM problem_raise('invalid-value', 'exactly one main handler is required', 'cần đúng một người chủ trì',
                              '/assignments');
    END IF;
    FOR v_old IN SELECT * FROM tasks WHERE document_id = p_doc AND active AND source = 'document' LOOP
        UPDATE tasks SET active = false WHERE id = v_old.id;
        UPDATE inbox_items SET box = 'done', reason = 'reassigned', updated_at = qlvb_now()
         WHERE user_id = v_old.user_id AND document_id = p_doc;
    END LOOP;
    FOR a, v_i IN SELECT x, o - 1 FROM jsonb_array_elements(p_assign) WITH ORDINALITY y(x, o) LOOP
        v_unit := (a->>'unit_id')::bigint;
        v_deadline := task_deadline_of(a, format('/assignments/%s', v_i), false);
        IF v_unit IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units WHERE id = v_unit AND agency_id = d.agency_id) THEN
            PERFORM problem_raise('invalid-value', format('unit %s is not a unit of this agency', v_unit),
                                  format('đơn vị %s không thuộc cơ quan này', v_unit), format('/assignments/%s/unit_id', v_i));
        END IF;
        n := 0;
        FOR v_uid IN
            SELECT (a->>'user_id')::bigint WHERE v_unit IS NULL
            UNION
            SELECT m.user_id FROM memberships m
             WHERE v_unit IS NOT NULL AND m.unit_id = v_unit AND m.position IN ('head', 'deputy_head')
               AND user_active(m.user_id)
        LOOP
            IF NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = v_uid AND agency_id = d.agency_id)
               OR NOT user_active(v_uid) THEN
                PERFORM problem_raise('invalid-value', format('user %s is not an active member of this agency', v_uid),
                                      format('người dùng %s không phải thành viên đang làm việc của cơ quan này', v_uid),
                                      format('/assignments/%s/user_id', v_i));
            END IF;
            -- one part per person: a person named twice (directly, or as a
            -- head of a unit named) could never finish both
            SELECT x.role INTO v_twice FROM tasks x
             WHERE x.document_id = p_doc AND x.user_id = v_uid AND x.active AND x.source = 'document';
            IF v_twice IS NOT NULL THEN
                PERFORM problem_raise('person-named-twice',
                    format('user %s is named twice in this direction (%s and %s%s); name each person once',
                           v_uid, v_twice, a->>'role', CASE WHEN v_unit IS NULL THEN ''
                                                            ELSE format(' as a head of unit %s', v_unit) END),
                    format('người dùng %s được nêu hai lần trong chỉ đạo này (%s và %s%s); mỗi người chỉ nêu một lần',
                           v_uid, v_twice, a->>'role', CASE WHEN v_unit IS NULL THEN ''
                                                            ELSE format(' với tư cách trưởng đơn vị %s', v_unit) END),
                    format('/assignments/%s', v_i));
            END IF;
            INSERT INTO tasks (source, document_id, user_id, unit_id, agency_id, role, deadline, assigned_by,
                               assigner_agency_id, priority, confirm_required, created_at)
            VALUES ('document', p_doc, v_uid, v_unit, d.agency_id, a->>'role', v_deadline, p_user, d.agency_id,
                    CASE WHEN d.urgency > 0 THEN 'urgent' ELSE 'normal' END,
                    a->>'role' <> 'info' AND (SELECT confirm_document_tasks FROM agencies WHERE id = d.agency_id),
                    qlvb_now())
            RETURNING id INTO v_task;
            PERFORM inbox_put(v_uid, p_doc, CASE a->>'role' WHEN 'info' THEN 'info' ELSE 'process' END,
                              a->>'role', v_deadline);
            UPDATE inbox_items SET task_id = v_task WHERE user_id = v_uid AND document_id = p_doc;
            n := n + 1;
        END LOOP;
        IF n = 0 THEN
            PERFORM problem_raise('invalid-value', format('unit %s has no head to receive it', v_unit),
                                  format('đơn vị %s không có trưởng đơn vị để nhận', v_unit));
        END IF;
    END LOOP;
    -- the group: the others name the main task (the first, if a unit's heads share it)
    SELECT min(id) INTO v_main FROM tasks WHERE document_id = p_doc AND active AND role = 'main' AND source = 'document';
    UPDATE tasks SET lead_task_id = v_main
     WHERE document_id = p_doc AND active AND source = 'document' AND id <> v_main;
    UPDATE documents SET status = 'directed', direction_note = p_note,
           deadline = coalesce((SELECT deadline FROM tasks WHERE id = v_main), deadline)
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user,
                    CASE WHEN d.status = 'directed' THEN 'reassigned' ELSE 'directed' END, p_note, p_assign);
    PERFORM inbox_done(p_user, p_doc);
END $$;

-- An assignee reads, reports, asks back or finishes.
CREATE OR REPLACE FUNCTION doc_progress(p_user bigint, p_doc bigint, p_action text, p_note text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); v_a tasks;
BEGIN
    PERFORM doc_guard(p_user, d, 'progress');
    SELECT * INTO v_a FROM tasks WHERE document_id = p_doc AND user_id = p_user AND active AND source = 'document'
     ORDER BY id DESC LIMIT 1;
    UPDATE tasks SET status = CASE p_action WHEN 'read' THEN 'read' WHEN 'report' THEN 'reported'
                                            WHEN 'ask' THEN 'asked' ELSE 'done' END,
           -- a finish is the completion report; final at once unless the
           -- agency asks the directing leader to confirm it
           reported_at = CASE WHEN p_action = 'finish' THEN qlvb_now() END,
           reported_by = CASE WHEN p_action = 'finish' THEN p_user END,
           percent = CASE WHEN p_action = 'finish' THEN 100 ELSE percent END,
           finished_at = CASE WHEN p_action = 'finish' AND NOT confirm_required THEN qlvb_now() END,
           finished_by = CASE WHEN p_action = 'finish' AND NOT confirm_required THEN p_user END,
           version = version + 1
     WHERE id = v_a.id;
    PERFORM doc_log(p_doc, p_user, p_action, p_note, jsonb_build_object('role', v_a.role));
    IF p_action = 'ask' THEN
        PERFORM inbox_put(v_a.assigned_by, p_doc, 'process', 'question', NULL);
    ELSIF p_action = 'finish' AND v_a.confirm_required THEN
        PERFORM task_log(v_a.id, p_user, 'completed', p_note, 100);
        PERFORM inbox_put_task(v_a.assigned_by, v_a.id, 'approve', 'completion_reported', v_a.deadline);
    ELSIF p_action = 'finish' THEN
        PERFORM task_log(v_a.id, p_user, 'completed', p_note, 100);
        PERFORM inbox_done(p_user, p_doc);
        IF v_a.role = 'main' THEN
            UPDATE documents SET status = 'done' WHERE id = p_doc;
        END IF;
    ELSIF p_action = 'read' THEN
        UPDATE inbox_items SET unread = false WHERE user_id = p_user AND document_id = p_doc;
    END IF;
END $$;

-- An official drafts an outgoing document.
CREATE OR REPLACE FUNCTION doc_create_draft(p_user bigint, f jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    m memberships;
    v_id bigint;
    r jsonb;
    v_agency bigint;
    v_target documents;
    v_closed text; v_closed_vi text; v_at text;
    v_refusal text[];
BEGIN
    -- officials and heads of units draft; leaders and clerks where the
    -- agency allows it; the technical administrator never (draft_refusal)
    v_refusal := draft_refusal(p_user);
    IF v_refusal IS NOT NULL THEN
        PERFORM problem_raise(v_refusal[1], v_refusal[2], v_refusal[3]);
    END IF;
    SELECT * INTO m FROM memberships WHERE user_id = p_user ORDER BY is_primary DESC, id LIMIT 1;
    IF NOT EXISTS (SELECT 1 FROM document_types WHERE code = f->>'type_code') THEN
        PERFORM problem_raise('unknown-type-code', format('%s is no document type', f->>'type_code'),
                              format('không có loại văn bản %s', f->>'type_code'), '/type_code');
    END IF;
    PERFORM state_secret_refused(f);
    -- a replacement (an error of content) is of the same form as what it
    -- replaces; a correction (an error of form) is a correcting công văn;
    -- both of an issued document of the agency
    IF f ? 'replaces' OR f ? 'corrects' THEN
        SELECT * INTO v_target FROM documents
         WHERE id = coalesce((f->>'replaces')::bigint, (f->>'corrects')::bigint);
        IF v_target.id IS NULL THEN
            PERFORM problem_raise('invalid-value',
                'a replacement or a correction is of an issued document of your agency, not recalled or replaced',
                'văn bản thay thế hoặc đính chính phải là của một văn bản đã ban hành của cơ quan bạn, '
                'chưa bị thu hồi hay thay thế');
        END IF;
        v_refusal := doc_refusal(p_user, v_target, CASE WHEN f ? 'replaces' THEN 'replace' ELSE 'correct' END);
        IF v_refusal IS NOT NULL THEN
            -- a recalled one is no longer issued: the same answer as any
            -- document a replacement cannot be of
            PERFORM problem_raise('invalid-value',
                'a replacement or a correction is of an issued document of your agency, not recalled or replaced',
                'văn bản thay thế hoặc đính chính phải là của một văn bản đã ban hành của cơ quan bạn, '
                'chưa bị thu hồi hay thay thế');
        END IF;
        IF f ? 'replaces' AND v_target.type_code <> f->>'type_code' THEN
            PERFORM problem_raise('invalid-value', format('a replacement is of the same form (%s) as what it replaces',
                                                          v_target.type_code),
                                  format('văn bản thay thế cùng hình thức (%s) với văn bản bị thay thế', v_target.type_code),
                                  '/type_code');
        END IF;
        IF f ? 'corrects' AND f->>'type_code' <> 'CV' THEN
            PERFORM problem_raise('invalid-value', 'a correction (đính chính) is a công văn (type_code CV)',
                                  'văn bản đính chính là công văn (type_code CV)');
        END IF;
    END IF;
    -- a legal normative document is of a type that may be one; an advisory
    -- body of the agency may issue under its seal (the book follows both)
    IF coalesce((f->>'normative')::boolean, false)
       AND (f->>'issuing_body_id' IS NOT NULL
            OR NOT (f->>'type_code') = ANY ((SELECT normative_types FROM agencies WHERE id = m.agency_id)::text[])) THEN
        PERFORM problem_raise('invalid-value', format(
            'your agency does not issue a %s as a legal normative document (agencies.normative_types: %s)%s',
            (SELECT name FROM document_types WHERE code = f->>'type_code'),
            (SELECT coalesce(nullif(array_to_string(normative_types, ', '), ''), 'none') FROM agencies WHERE id = m.agency_id),
            CASE WHEN f->>'issuing_body_id' IS NOT NULL THEN '; an advisory body never does' ELSE '' END),
            format('cơ quan của bạn không ban hành %s là văn bản quy phạm pháp luật (agencies.normative_types: %s)%s',
            (SELECT name FROM document_types WHERE code = f->>'type_code'),
            (SELECT coalesce(nullif(array_to_string(normative_types, ', '), ''), 'không có') FROM agencies WHERE id = m.agency_id),
            CASE WHEN f->>'issuing_body_id' IS NOT NULL THEN '; tổ chức tư vấn không bao giờ ban hành' ELSE '' END),
            '/normative');
    END IF;
    IF f->>'issuing_body_id' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units WHERE id = (f->>'issuing_body_id')::bigint
                                                            AND agency_id = m.agency_id AND advisory) THEN
        PERFORM problem_raise('invalid-value', 'issuing_body_id is an advisory body (a unit marked advisory) of your agency',
                              'issuing_body_id là một tổ chức tư vấn (Hội đồng, Ban, Tổ) của cơ quan bạn',
                              '/issuing_body_id');
    END IF;
    INSERT INTO documents (agency_id, direction, status, type_code, subject, urgency, secrecy, pages,
                           deadline, unit_id, author_id, replaces_id, corrects_id, normative, issuing_body_id)
    VALUES (m.agency_id, 'out', 'draft', f->>'type_code', f->>'subject',
            coalesce((f->>'urgency')::smallint, 0), coalesce((f->>'secrecy')::smallint, 0),
            (f->>'pages')::int, (f->>'deadline')::timestamptz, m.unit_id, p_user,
            (f->>'replaces')::bigint, (f->>'corrects')::bigint,
            coalesce((f->>'normative')::boolean, false), (f->>'issuing_body_id')::bigint)
    RETURNING id INTO v_id;
    FOR r, v_at IN SELECT x, format('/recipients/%s/agency_code', o - 1)
                      FROM jsonb_array_elements(coalesce(f->'recipients', '[]')) WITH ORDINALITY y(x, o) LOOP
        IF r ? 'agency_code' THEN
            SELECT id INTO v_agency FROM agencies WHERE code = r->>'agency_code' AND valid_to IS NULL;
            IF v_agency IS NULL THEN
                -- a closed agency receives nothing new: say who took its place
                SELECT format('agency %s (%s) closed on %s%s', c.code, c.name, c.valid_to,
                              CASE WHEN s.id IS NOT NULL THEN format('; its successor is %s (%s)', s.code, s.name)
                                   ELSE '; it has no successor' END),
                       format('cơ quan %s (%s) đã giải thể ngày %s%s', c.code, c.name, to_char(c.valid_to, 'DD/MM/YYYY'),
                              CASE WHEN s.id IS NOT NULL THEN format('; cơ quan kế thừa là %s (%s)', s.code, s.name)
                                   ELSE '; không có cơ quan kế thừa' END)
                  INTO v_closed, v_closed_vi
                  FROM agencies c LEFT JOIN agencies s ON s.id = agency_current(c.id)
                 WHERE c.code = r->>'agency_code' ORDER BY c.valid_to DESC LIMIT 1;
                IF v_closed IS NOT NULL THEN
                    PERFORM problem_raise('agency-closed', v_closed, v_closed_vi, v_at);
                END IF;
                PERFORM problem_raise('invalid-value', format('unknown recipient agency %s', r->>'agency_code'),
                                      format('không có cơ quan nhận %s', r->>'agency_code'), v_at);
            END IF;
            IF v_agency = m.agency_id THEN
                PERFORM problem_raise('invalid-value', 'the drafting agency cannot be its own recipient',
                                      'cơ quan soạn thảo không gửi cho chính mình', v_at);
            END IF;
            IF EXISTS (SELECT 1 FROM document_recipients WHERE document_id = v_id AND agency_id = v_agency) THEN
                PERFORM problem_raise('invalid-value', format('recipient agency %s is named twice', r->>'agency_code'),
                                      format('cơ quan nhận %s được nêu hai lần', r->>'agency_code'), v_at);
            END IF;
            INSERT INTO document_recipients (document_id, agency_id) VALUES (v_id, v_agency);
        ELSE
            INSERT INTO document_recipients (document_id, external_name, external_code)
            VALUES (v_id, r->>'name', r->>'code');
        END IF;
    END LOOP;
    PERFORM doc_log(v_id, p_user, 'drafted', NULL, NULL);
    RETURN v_id;
END $$;

-- Opens an approval step: names who may act and puts it in their box.
CREATE OR REPLACE FUNCTION step_open(p_step bigint, p_doc bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE s approval_steps; d documents; v_uid bigint; n int := 0;
BEGIN
    SELECT * INTO s FROM approval_steps WHERE id = p_step;
    SELECT * INTO d FROM documents WHERE id = p_doc;
    FOR v_uid IN
        SELECT DISTINCT m.user_id FROM memberships m
         WHERE m.agency_id = d.agency_id AND m.user_id <> d.author_id
           AND user_active(m.user_id)
           AND CASE s.step WHEN 'head' THEN m.position IN ('head', 'deputy_head') AND m.unit_id = d.unit_id
                           ELSE m.user_id IN (SELECT user_id FROM agency_leaders(d.agency_id)) END
    LOOP
        INSERT INTO approval_candidates (step_id, user_id) VALUES (p_step, v_uid);
        PERFORM inbox_put(v_uid, p_doc, 'approve', s.step || '-review', d.deadline);
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        PERFORM problem_raise('wrong-state', format('nobody can take the %s review step of this agency', s.step),
                              format('không ai của cơ quan nhận được bước duyệt %s', s.step));
    END IF;
    UPDATE approval_steps SET status = 'pending' WHERE id = p_step;
END $$;

CREATE OR REPLACE FUNCTION doc_submit(p_user bigint, p_doc bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); v_round int; v_steps text[]; v_first bigint;
BEGIN
    PERFORM doc_guard(p_user, d, 'submit');
    SELECT review_steps INTO v_steps FROM agencies WHERE id = d.agency_id;
    v_round := coalesce((SELECT max(round) FROM approval_steps WHERE document_id = p_doc), 0) + 1;
    INSERT INTO approval_steps (document_id, round, seq, step)
    SELECT p_doc, v_round, i, v_steps[i] FROM generate_subscripts(v_steps, 1) i;
    SELECT id INTO v_first FROM approval_steps WHERE document_id = p_doc AND round = v_round ORDER BY seq LIMIT 1;
    UPDATE documents SET status = 'in_review' WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'submitted', NULL, jsonb_build_object('round', v_round));
    PERFORM inbox_done(p_user, p_doc);
    PERFORM step_open(v_first, p_doc);
END $$;

-- The pending review step of a document, once doc_guard let the user take
-- it (p_action: approve or return).
CREATE OR REPLACE FUNCTION pending_step(p_user bigint, d documents, p_action text) RETURNS approval_steps
    LANGUAGE plpgsql AS $$
DECLARE s approval_steps;
BEGIN
    PERFORM doc_guard(p_user, d, p_action);
    SELECT * INTO s FROM approval_steps WHERE document_id = d.id AND status = 'pending'
     ORDER BY round DESC, seq LIMIT 1;
    RETURN s;
END $$;

CREATE OR REPLACE FUNCTION doc_approve(p_user bigint, p_doc bigint, p_note text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); s approval_steps := pending_step(p_user, d, 'approve');
        v_next bigint; v_cand bigint;
BEGIN
    UPDATE approval_steps SET status = 'approved', decided_by = p_user, note = p_note, decided_at = qlvb_now()
     WHERE id = s.id;
    PERFORM doc_log(p_doc, p_user, 'approved', p_note, jsonb_build_object('step', s.step, 'round', s.round));
    FOR v_cand IN SELECT user_id FROM approval_candidates WHERE step_id = s.id LOOP
        PERFORM inbox_done(v_cand, p_doc);
    END LOOP;
    SELECT id INTO v_next FROM approval_steps
     WHERE document_id = p_doc AND round = s.round AND seq > s.seq ORDER BY seq LIMIT 1;
    IF v_next IS NOT NULL THEN
        PERFORM step_open(v_next, p_doc);
    ELSE
        UPDATE documents SET status = 'approved' WHERE id = p_doc;
        -- the leader who approved last signs next; else every leader of the
        -- agency (deputies included, who sign on behalf: KT.)
        IF is_leader(p_user, d.agency_id) THEN
            PERFORM inbox_put(p_user, p_doc, 'approve', 'sign', d.deadline);
        ELSE
            PERFORM inbox_put(l.user_id, p_doc, 'approve', 'sign', d.deadline)
               FROM agency_leaders(d.agency_id) l;
        END IF;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION doc_return(p_user bigint, p_doc bigint, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); s approval_steps := pending_step(p_user, d, 'return'); v_cand bigint;
BEGIN
    UPDATE approval_steps SET status = 'returned', decided_by = p_user, note = p_reason, decided_at = qlvb_now()
     WHERE id = s.id;
    UPDATE approval_steps SET status = 'waiting' WHERE document_id = p_doc AND round = s.round AND status = 'waiting';
    UPDATE documents SET status = 'returned' WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'returned', p_reason, jsonb_build_object('step', s.step, 'round', s.round));
    FOR v_cand IN SELECT user_id FROM approval_candidates WHERE step_id = s.id LOOP
        PERFORM inbox_done(v_cand, p_doc);
    END LOOP;
    PERFORM inbox_put(d.author_id, p_doc, 'process', 'returned', d.deadline);
END $$;

-- A leader signs an approved draft; the signed PDF, when given, is a file
-- version of kind 'signed' uploaded before.
CREATE OR REPLACE FUNCTION doc_sign(p_user bigint, p_doc bigint, p_file bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); v_clerk bigint;
BEGIN
    PERFORM doc_guard(p_user, d, 'sign');
    IF p_file IS NOT NULL AND NOT EXISTS (SELECT 1 FROM document_files
                                          WHERE id = p_file AND document_id = p_doc AND kind = 'signed') THEN
        PERFORM problem_raise('invalid-value', 'signed_file_id is not a signed file of this document',
                              'signed_file_id không phải tệp đã ký của văn bản này', '/signed_file_id');
    END IF;
    -- what the signer saw: the signed file, and the latest version of each
    -- other file; from now on they are frozen (document_files_frozen)
    UPDATE documents SET status = 'signed', signed_by = p_user, signed_at = qlvb_now(), signed_file_id = p_file,
           signed_files = (SELECT coalesce(array_agg(f.id ORDER BY f.id), '{}') FROM document_files f
                            WHERE f.document_id = p_doc AND f.kind <> 'signed'
                              AND f.version = (SELECT max(g.version) FROM document_files g
                                                WHERE g.document_id = p_doc AND g.kind = f.kind AND g.name = f.name))
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'signed', NULL, jsonb_build_object('signed_file_id', p_file));
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now() WHERE document_id = p_doc AND reason = 'sign';
    FOR v_clerk IN SELECT user_id FROM agency_clerks(d.agency_id) LOOP
        PERFORM inbox_put(v_clerk, p_doc, 'process', 'issue', d.deadline);
    END LOOP;
END $$;

-- The clerk issues a signed document: number and date from the outgoing
-- book, then distribution: a new incoming document in each recipient agency's
-- queue, an exchange outbox entry for each recipient outside the system.
CREATE OR REPLACE FUNCTION doc_issue(p_user bigint, p_doc bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d documents := doc_lock(p_user, p_doc);
    a agencies;
    v_book bigint; v_num record; v_notation text; v_type document_types; v_unit_abbr text;
    v_issuer_abbr text; v_signer text; r document_recipients; v_copy bigint; v_clerk bigint;
BEGIN
    PERFORM doc_guard(p_user, d, 'issue');
    SELECT * INTO a FROM agencies WHERE id = d.agency_id;
    SELECT * INTO v_type FROM document_types WHERE code = d.type_code;
    SELECT abbr INTO v_unit_abbr FROM units WHERE id = d.unit_id;
    SELECT full_name INTO v_signer FROM users WHERE id = d.signed_by;
    -- the issuer's group: the agency, or the advisory body that issues it
    SELECT coalesce((SELECT abbr FROM units WHERE id = d.issuing_body_id), a.abbr) INTO v_issuer_abbr;
    v_book := book_for(d.agency_id, d.type_code, d.normative, d.issuing_body_id);
    SELECT * INTO v_num FROM book_take_number(v_book);
    -- Decree 30: number below 10 with a leading zero; a normative document's
    -- year after it; TYPE-ISSUER, or ISSUER-UNIT for a công văn
    v_notation := book_number_text(v_num.number) || '/' ||
        CASE WHEN d.normative THEN v_num.year || '/' ELSE '' END ||
        CASE WHEN v_type.abbr IS NULL THEN v_issuer_abbr || coalesce('-' || v_unit_abbr, '')
             ELSE v_type.abbr || '-' || v_issuer_abbr END;
    -- the unique index would refuse it too; say why and what to mend
    IF EXISTS (SELECT 1 FROM documents x
                WHERE x.agency_id = d.agency_id AND x.direction = 'out' AND x.book_year = v_num.year
                  AND notation_key(x.number_notation) = notation_key(v_notation) AND NOT x.notation_duplicate) THEN
        PERFORM problem_raise('notation-taken', format(
            '%s was already issued this year by your agency: two of its books give the same notation; '
            'an administrator mends the books', v_notation),
            format('năm nay cơ quan bạn đã ban hành %s: hai sổ của cơ quan cho cùng một số, ký hiệu; '
            'quản trị viên cần sửa lại các sổ', v_notation));
    END IF;
    UPDATE documents SET status = 'issued', book_id = v_book, book_year = v_num.year,
           book_number = v_num.number, number_notation = v_notation,
           number = book_number_text(v_num.number), notation = notation_part(v_notation),
           doc_date = (qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, issued_at = qlvb_now(),
           signer_name = v_signer, issuer_name = a.name, issuer_code = a.code
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'issued', NULL,
                    jsonb_build_object('number_notation', v_notation, 'book_year', v_num.year));
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now() WHERE document_id = p_doc AND reason = 'issue';
    -- what it replaces is marked replaced (once: a second replacement of the
    -- same document is refused); what it corrects, corrected
    IF d.replaces_id IS NOT NULL AND EXISTS (SELECT 1 FROM documents WHERE id = d.replaces_id
                                              AND (replaced_by_id IS NOT NULL OR status <> 'issued')) THEN
        PERFORM problem_raise('wrong-state', format('document %s was already replaced or recalled', d.replaces_id),
                              format('văn bản %s đã được thay thế hoặc đã bị thu hồi', d.replaces_id));
    END IF;
    IF d.replaces_id IS NOT NULL THEN
        UPDATE documents SET replaced_by_id = p_doc WHERE id = d.replaces_id;
        PERFORM doc_log(d.replaces_id, p_user, 'replaced', NULL,
                        jsonb_build_object('by', p_doc, 'number_notation', v_notation));
    END IF;
    IF d.corrects_id IS NOT NULL THEN
        PERFORM doc_log(d.corrects_id, p_user, 'corrected', NULL,
                        jsonb_build_object('by', p_doc, 'number_notation', v_notation));
    END IF;
    FOR r IN SELECT * FROM document_recipients WHERE document_id = p_doc LOOP
        IF r.agency_id IS NULL THEN
            INSERT INTO exchange_outbox (document_id, recipient_id) VALUES (p_doc, r.id);
            CONTINUE;
        END IF;
        -- an agency closed since the draft: its successor receives it, or
        -- nobody (and the history says so)
        IF agency_current(r.agency_id) IS DISTINCT FROM r.agency_id THEN
            IF agency_current(r.agency_id) IS NULL THEN
                PERFORM doc_log(p_doc, p_user, 'not-delivered', 'the recipient agency has closed',
                                jsonb_build_object('agency', (SELECT code FROM agencies WHERE id = r.agency_id)));
                CONTINUE;
            END IF;
            r.agency_id := agency_current(r.agency_id);
        END IF;
        INSERT INTO documents (agency_id, direction, status, type_code, subject, urgency, secrecy, pages,
                               signer_name, doc_date, number_notation, issuer_name, issuer_code,
                               received_at, deadline, source_id, number, notation)
        VALUES (r.agency_id, 'in', 'received', d.type_code, d.subject, d.urgency, d.secrecy, d.pages,
                v_signer, (qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, v_notation, a.name, a.code,
                qlvb_now(), d.deadline, p_doc, book_number_text(v_num.number), notation_part(v_notation))
        RETURNING id INTO v_copy;
        -- the recipient gets exactly what was signed: the signed file, by its
        -- hash, and the versions the signer saw
        INSERT INTO document_files (document_id, kind, name, version, sha256, uploaded_by, uploaded_at)
        SELECT v_copy, f.kind, f.name, 1, f.sha256, f.uploaded_by, f.uploaded_at
          FROM document_files f
         WHERE f.document_id = p_doc AND (f.id = d.signed_file_id OR f.id = ANY (d.signed_files));
        UPDATE document_recipients SET delivered_id = v_copy WHERE id = r.id;
        PERFORM doc_log(v_copy, NULL, 'received', NULL, jsonb_build_object('from', a.code));
        FOR v_clerk IN SELECT user_id FROM agency_clerks(r.agency_id) LOOP
            PERFORM inbox_put(v_clerk, v_copy, 'process', 'register', d.deadline);
        END LOOP;
    END LOOP;
END $$;

-- A file version may be added by the author of a draft (body, attachments),
-- a clerk of the agency on an incoming document, or a leader signing.
CREATE OR REPLACE FUNCTION doc_file_allowed(p_user bigint, p_doc bigint, p_kind text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc);
BEGIN
    IF d.direction = 'out' AND d.status IN ('signed', 'issued') THEN
        PERFORM problem_raise('document-frozen', 'the document is signed: its files are frozen',
                              'văn bản đã ký: các tệp không được thay đổi');
    END IF;
    IF p_kind = 'signed' THEN
        IF NOT is_leader(p_user, d.agency_id) THEN
            PERFORM problem_raise('not-a-leader', 'a signed version is added by a leader of an approved document',
                                  'bản đã ký do lãnh đạo thêm vào văn bản đã duyệt');
        ELSIF d.status <> 'approved' THEN
            PERFORM problem_raise('not-approved', 'a signed version is added to an approved document',
                                  'bản đã ký chỉ thêm vào văn bản đã duyệt');
        END IF;
    ELSIF d.direction = 'out' THEN
        IF d.author_id IS DISTINCT FROM p_user THEN
            PERFORM problem_raise('not-the-author', 'files of a draft are added by its author while it is a draft',
                                  'tệp của dự thảo do người soạn thảo thêm khi còn là dự thảo');
        ELSIF d.status NOT IN ('draft', 'returned') THEN
            PERFORM problem_raise('not-a-draft', 'files of a draft are added while it is a draft',
                                  'tệp của dự thảo chỉ thêm khi còn là dự thảo');
        END IF;
    ELSIF NOT has_role(p_user, d.agency_id, ARRAY['clerk']) THEN
        PERFORM problem_raise('not-a-clerk', 'files of an incoming document are added by a clerk',
                              'tệp của văn bản đến do văn thư thêm');
    END IF;
END $$;

-- The files of a signed outgoing document are frozen: no new version, no
-- change, whatever the path (the API refuses first, with the same problem).
CREATE OR REPLACE FUNCTION document_files_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM documents WHERE id = NEW.document_id AND direction = 'out'
                                         AND status IN ('signed', 'issued')) THEN
        PERFORM problem_raise('document-frozen', 'the document is signed: its files are frozen',
                              'văn bản đã ký: các tệp không được thay đổi');
    END IF;
    RETURN NEW;
END $$;

-- The signer or a leader of the agency orders the recall of an issued
-- document, with its reason; its clerks are to carry it out.
CREATE OR REPLACE FUNCTION doc_recall_order(p_user bigint, p_doc bigint, p_reason text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); v_clerk bigint;
BEGIN
    PERFORM doc_guard(p_user, d, 'recall');
    IF btrim(coalesce(p_reason, '')) = '' THEN
        PERFORM problem_raise('invalid-value', 'a recall needs its reason', 'thu hồi cần nêu lý do', '/reason');
    END IF;
    UPDATE documents SET recall_status = 'ordered', recall_reason = p_reason, recall_ordered_by = p_user,
                         recall_ordered_at = qlvb_now()
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'recall-ordered', p_reason, NULL);
    FOR v_clerk IN SELECT user_id FROM agency_clerks(d.agency_id) LOOP
        PERFORM inbox_put(v_clerk, p_doc, 'process', 'recall', NULL);
    END LOOP;
END $$;

-- A clerk carries an ordered recall out: the document is frozen with its
-- number taken (status recalled, shown so in the register); each copy
-- inside the province is marked recalled (its register line stays) and
-- leaves every inbox, its assignments end, and its history records the
-- notice: who, when, why; a notice goes to each recipient outside. A
-- recipient takes no step on a recalled copy, and cannot refuse it.
CREATE OR REPLACE FUNCTION doc_recall_carry_out(p_user bigint, p_doc bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE d documents := doc_lock(p_user, p_doc); r document_recipients;
BEGIN
    PERFORM doc_guard(p_user, d, 'recall-carry-out');
    UPDATE documents SET status = 'recalled', recall_status = 'recalled', recalled_by = p_user,
                         recalled_at = qlvb_now()
     WHERE id = p_doc;
    PERFORM doc_log(p_doc, p_user, 'recalled', d.recall_reason, NULL);
    UPDATE inbox_items SET box = 'done', updated_at = qlvb_now() WHERE document_id = p_doc AND reason = 'recall';
    FOR r IN SELECT * FROM document_recipients WHERE document_id = p_doc LOOP
        IF r.agency_id IS NULL THEN
            INSERT INTO exchange_outbox (document_id, recipient_id, kind) VALUES (p_doc, r.id, 'recall');
            CONTINUE;
        END IF;
        IF r.delivered_id IS NULL THEN
            CONTINUE;
        END IF;
        UPDATE documents SET recall_status = 'recalled', recall_reason = d.recall_reason,
                             recall_ordered_by = d.recall_ordered_by, recall_ordered_at = d.recall_ordered_at,
                             recalled_by = p_user, recalled_at = qlvb_now()
         WHERE id = r.delivered_id;
        PERFORM doc_log(r.delivered_id, p_user, 'recalled', d.recall_reason,
                        jsonb_build_object('from', (SELECT code FROM agencies WHERE id = d.agency_id),
                                           'number_notation', d.number_notation));
        UPDATE tasks SET active = false WHERE document_id = r.delivered_id AND active;
        -- the copy leaves every inbox (the changes feed says why)
        PERFORM set_config('qlvb.inbox_removal', 'recalled', true);
        DELETE FROM inbox_items WHERE document_id = r.delivered_id;
        PERFORM set_config('qlvb.inbox_removal', '', true);
    END LOOP;
END $$;
