-- Documents: registration books with yearly numbers, incoming and outgoing
-- documents, direction and assignments, approval steps, file versions,
-- distribution, the exchange outbox, per-user inbox items, idempotency.

-- Accent-insensitive search: unaccent() is not immutable, this wrapper is
-- (the dictionary is fixed), so it can be indexed.
CREATE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Document types and their notation abbreviations (Decree 30/2020, App. III).
-- Rows, not code: a correction is a data change.
CREATE TABLE document_types (
    code text PRIMARY KEY,
    name text NOT NULL,
    abbr text                       -- NULL: công văn and thư công carry none
);
INSERT INTO document_types (code, name, abbr) VALUES
    ('NQ', 'Nghị quyết', 'NQ'), ('QD', 'Quyết định', 'QĐ'), ('CT', 'Chỉ thị', 'CT'),
    ('QC', 'Quy chế', 'QC'), ('QYD', 'Quy định', 'QyĐ'), ('TC', 'Thông cáo', 'TC'),
    ('TB', 'Thông báo', 'TB'), ('HD', 'Hướng dẫn', 'HD'), ('CTR', 'Chương trình', 'CTr'),
    ('KH', 'Kế hoạch', 'KH'), ('PA', 'Phương án', 'PA'), ('DEA', 'Đề án', 'ĐA'),
    ('DA', 'Dự án', 'DA'), ('BC', 'Báo cáo', 'BC'), ('BB', 'Biên bản', 'BB'),
    ('TTR', 'Tờ trình', 'TTr'), ('HOPD', 'Hợp đồng', 'HĐ'), ('CV', 'Công văn', NULL),
    ('CD', 'Công điện', 'CĐ'), ('BGN', 'Bản ghi nhớ', 'BGN'), ('BTT', 'Bản thỏa thuận', 'BTT'),
    ('GUQ', 'Giấy ủy quyền', 'GUQ'), ('GM', 'Giấy mời', 'GM'), ('GGT', 'Giấy giới thiệu', 'GGT'),
    ('GNP', 'Giấy nghỉ phép', 'GNP'), ('PG', 'Phiếu gửi', 'PG'), ('PC', 'Phiếu chuyển', 'PC'),
    ('PB', 'Phiếu báo', 'PB'), ('THC', 'Thư công', NULL);

-- Who reviews an agency's drafts, in order (the agency decides).
ALTER TABLE agencies ADD COLUMN review_steps text[] NOT NULL DEFAULT '{head,leader}'
    CHECK (review_steps <@ ARRAY['head', 'leader']);

-- Registration books: numbers run per book per year from 1.
CREATE TABLE books (
    id        bigserial PRIMARY KEY,
    agency_id bigint NOT NULL REFERENCES agencies(id),
    direction text NOT NULL CHECK (direction IN ('in', 'out')),
    secret    boolean NOT NULL DEFAULT false,
    name      text NOT NULL,
    UNIQUE (agency_id, direction, secret)
);
CREATE TABLE book_counters (
    book_id     bigint NOT NULL REFERENCES books(id),
    year        integer NOT NULL,
    last_number integer NOT NULL,
    PRIMARY KEY (book_id, year)
);

-- The next number of a book, taken inside the caller's transaction: the row
-- lock orders concurrent registrations, and a rollback gives the number back.
CREATE FUNCTION book_take_number(p_book bigint, OUT year integer, OUT number integer)
    LANGUAGE sql AS $$
    INSERT INTO book_counters AS c (book_id, year, last_number)
    VALUES (p_book, extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, 1)
    ON CONFLICT (book_id, year) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.year, c.last_number
$$;

-- Books for every agency that has none, and for agencies added later.
CREATE FUNCTION books_for_agency(p_agency bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO books (agency_id, direction, secret, name)
    SELECT p_agency, d, s, CASE d WHEN 'in' THEN 'Sổ đăng ký văn bản đến' ELSE 'Sổ đăng ký văn bản đi' END
                          || CASE WHEN s THEN ' (mật)' ELSE '' END
      FROM unnest(ARRAY['in', 'out']) d, unnest(ARRAY[false, true]) s
    ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION agencies_books_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM books_for_agency(NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER agencies_books AFTER INSERT ON agencies
    FOR EACH ROW EXECUTE FUNCTION agencies_books_trigger();
SELECT books_for_agency(id) FROM agencies;

CREATE TABLE documents (
    id              bigserial PRIMARY KEY,
    agency_id       bigint NOT NULL REFERENCES agencies(id),   -- whose document this is
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    status          text NOT NULL CHECK (status IN (
                        'received', 'registered', 'presented', 'directed', 'done',      -- incoming
                        'draft', 'in_review', 'returned', 'approved', 'signed', 'issued')), -- outgoing
    type_code       text NOT NULL REFERENCES document_types(code),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    urgency         smallint NOT NULL DEFAULT 0 CHECK (urgency BETWEEN 0 AND 3),   -- thường, khẩn, thượng khẩn, hỏa tốc
    secrecy         smallint NOT NULL DEFAULT 0 CHECK (secrecy BETWEEN 0 AND 3),   -- thường, mật, tối mật, tuyệt mật
    pages           integer CHECK (pages BETWEEN 1 AND 9999),
    signer_name     text,
    doc_date        date,                -- date on the document
    number_notation text,                -- "123/QĐ-STP": the issuer's, for both directions
    issuer_name     text,                -- incoming: issuing agency as written
    issuer_code     text,
    -- the book entry: incoming number, or outgoing number
    book_id         bigint REFERENCES books(id),
    book_year       integer,
    book_number     integer,
    received_at     timestamptz,
    deadline        timestamptz,
    direction_note  text,                -- the leader's ý kiến chỉ đạo
    unit_id         bigint REFERENCES units(id),   -- drafting unit
    author_id       bigint NOT NULL REFERENCES users(id),
    signed_by       bigint REFERENCES users(id),
    signed_at       timestamptz,
    issued_at       timestamptz,
    source_id       bigint REFERENCES documents(id), -- the outgoing original of a distributed copy
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search_text     text GENERATED ALWAYS AS (
                        lower(f_unaccent(coalesce(number_notation, '') || ' ' || subject || ' ' ||
                                         coalesce(issuer_name, '')))) STORED,
    UNIQUE (book_id, book_year, book_number)
);
CREATE INDEX documents_agency ON documents (agency_id, id DESC);
CREATE INDEX documents_search ON documents USING gin (search_text gin_trgm_ops);
CREATE INDEX documents_source ON documents (source_id);

CREATE TABLE document_recipients (
    id            bigserial PRIMARY KEY,
    document_id   bigint NOT NULL REFERENCES documents(id),
    agency_id     bigint REFERENCES agencies(id),      -- inside the system
    external_name text,                                -- outside it
    external_code text,
    delivered_id  bigint REFERENCES documents(id),     -- the incoming copy made at issue
    CHECK ((agency_id IS NULL) <> (external_name IS NULL))
);
CREATE INDEX document_recipients_doc ON document_recipients (document_id);

-- Sent as edXML by a later exchange worker.
CREATE TABLE exchange_outbox (
    id            bigserial PRIMARY KEY,
    document_id   bigint NOT NULL REFERENCES documents(id),
    recipient_id  bigint NOT NULL REFERENCES document_recipients(id),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document_history (
    id          bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents(id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users(id),
    action      text NOT NULL,
    note        text,
    detail      jsonb
);
CREATE INDEX document_history_doc ON document_history (document_id, id);

CREATE TABLE assignments (
    id          bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents(id),
    user_id     bigint NOT NULL REFERENCES users(id),
    role        text NOT NULL CHECK (role IN ('main', 'coordinate', 'info')),
    deadline    timestamptz,
    status      text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned', 'read', 'reported', 'asked', 'done')),
    assigned_by bigint NOT NULL REFERENCES users(id),
    active      boolean NOT NULL DEFAULT true,    -- false once reassigned
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX assignments_doc ON assignments (document_id);
CREATE INDEX assignments_user ON assignments (user_id) WHERE active;

CREATE TABLE approval_steps (
    id          bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents(id),
    round       integer NOT NULL,                 -- each submission is a round
    seq         integer NOT NULL,
    step        text NOT NULL CHECK (step IN ('head', 'leader')),
    status      text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'pending', 'approved', 'returned')),
    decided_by  bigint REFERENCES users(id),
    note        text,
    decided_at  timestamptz,
    UNIQUE (document_id, round, seq)
);

-- Who may act on a step: named when the step opens.
CREATE TABLE approval_candidates (
    step_id bigint NOT NULL REFERENCES approval_steps(id),
    user_id bigint NOT NULL REFERENCES users(id),
    PRIMARY KEY (step_id, user_id)
);

-- Stored bytes, by content.
CREATE TABLE files (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL,
    mime       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE document_files (
    id          bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents(id),
    kind        text NOT NULL CHECK (kind IN ('body', 'attachment', 'signed')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    version     integer NOT NULL,
    sha256      text NOT NULL REFERENCES files(sha256),
    uploaded_by bigint NOT NULL REFERENCES users(id),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (document_id, kind, name, version)
);

-- One row per person and document, in the box the work is in for them.
CREATE TABLE inbox_items (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id),
    document_id bigint NOT NULL REFERENCES documents(id),
    box         text NOT NULL CHECK (box IN ('process', 'approve', 'info', 'done')),
    reason      text NOT NULL,
    unread      boolean NOT NULL DEFAULT true,
    deadline    timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, document_id)
);
CREATE INDEX inbox_items_list ON inbox_items (user_id, box, updated_at DESC, id DESC);

ALTER TABLE users ADD COLUMN inbox_version bigint NOT NULL DEFAULT 0;

-- Puts a document in a person's box (moving it if already there).
CREATE FUNCTION inbox_put(p_user bigint, p_doc bigint, p_box text, p_reason text, p_deadline timestamptz)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO inbox_items AS i (user_id, document_id, box, reason, deadline)
    VALUES (p_user, p_doc, p_box, p_reason, p_deadline)
    ON CONFLICT (user_id, document_id) DO UPDATE
       SET box = EXCLUDED.box, reason = EXCLUDED.reason, unread = true,
           deadline = EXCLUDED.deadline, updated_at = now();
    UPDATE users SET inbox_version = inbox_version + 1 WHERE id = p_user;
$$;
CREATE FUNCTION inbox_done(p_user bigint, p_doc bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE inbox_items SET box = 'done', updated_at = now()
     WHERE user_id = p_user AND document_id = p_doc AND box <> 'done';
    UPDATE users SET inbox_version = inbox_version + 1 WHERE id = p_user;
$$;

-- The one rule of who may see a document:
--  * people named on it: author, signer, an assignee, an approval candidate,
--    anyone it reached through their inbox;
--  * for an ordinary (not secret) document, also the clerks and leaders of
--    the agency that owns it (through its books).
-- Nothing crosses agencies except by distribution, which makes a new
-- document owned by the receiving agency.
CREATE FUNCTION doc_visible(p_user bigint, p_doc bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM documents d WHERE d.id = p_doc AND (
               d.author_id = p_user OR d.signed_by = p_user
            OR EXISTS (SELECT 1 FROM inbox_items i WHERE i.document_id = d.id AND i.user_id = p_user)
            OR EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.user_id = p_user)
            OR (d.secrecy = 0 AND EXISTS (
                   SELECT 1 FROM memberships m
                    WHERE m.user_id = p_user AND m.agency_id = d.agency_id
                      AND m.roles && ARRAY['clerk', 'leader']))))
$$;

CREATE TABLE idempotency_keys (
    user_id     bigint NOT NULL REFERENCES users(id),
    key         text NOT NULL,
    request_sig text NOT NULL,            -- method, path and body hash
    status      integer,                  -- NULL while the first request runs
    ctype       text,
    body        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

GRANT SELECT ON document_types, books TO qlvb_app;
GRANT SELECT, INSERT, UPDATE ON book_counters, documents, document_recipients, exchange_outbox,
      assignments, approval_steps, inbox_items, files, document_files TO qlvb_app;
GRANT SELECT, INSERT ON document_history, approval_candidates TO qlvb_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO qlvb_app;
GRANT UPDATE (inbox_version) ON users TO qlvb_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO qlvb_app;
