-- Books chosen by the document (Decree 30, Art. 15.1): the head of an agency
-- keeps one shared series or several books, each covering chosen document
-- types; legal normative documents (văn bản quy phạm pháp luật) have one
-- series per type, with the year in the notation (15/2025/QĐ-UBND), apart
-- from the individual documents of the same type; advisory bodies (Hội
-- đồng, Ban, Tổ) issuing under the agency's seal have their own series.
--
-- An outgoing book covers, for one issuing body (the agency, or one of its
-- advisory bodies) and one kind (normative or not), either listed types
-- (book_types) or the rest (covers_rest: every type no other open book of
-- that body and kind lists). The database keeps coverage from overlapping:
-- a type is listed once per agency, body and kind, and one open book covers
-- the rest, so exactly one book fits each document (book_for in
-- sql/functions/books.sql). Incoming documents keep one continuous series
-- per year, paper and electronic together. Number plus notation stay unique
-- for the agency within the year across all its books (migration 0011).

-- an advisory body is recorded as a unit of its agency, with its own
-- abbreviation
ALTER TABLE units ADD COLUMN advisory boolean NOT NULL DEFAULT false;

-- the types a legal normative document of a province may take (Law on the
-- Promulgation of Legal Documents: the People's Council's resolutions, the
-- People's Committee's decisions)
ALTER TABLE document_types ADD COLUMN normative_allowed boolean NOT NULL DEFAULT false;
UPDATE document_types SET normative_allowed = true WHERE code IN ('NQ', 'QD');

-- a draft says whether it is normative and which body issues it
ALTER TABLE documents ADD COLUMN normative boolean NOT NULL DEFAULT false,
                      ADD COLUMN issuing_body_id bigint REFERENCES units(id);

ALTER TABLE books DROP CONSTRAINT books_one_per_direction;
ALTER TABLE books
    ADD COLUMN normative   boolean NOT NULL DEFAULT false,
    ADD COLUMN body_id     bigint REFERENCES units(id),
    ADD COLUMN body_key    bigint GENERATED ALWAYS AS (coalesce(body_id, 0)) STORED,
    ADD COLUMN covers_rest boolean NOT NULL DEFAULT false,
    ADD COLUMN created_at  timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN closed_at   timestamptz;
-- every book so far is its agency's one series in its direction
UPDATE books SET covers_rest = true;
ALTER TABLE books
    ADD CONSTRAINT books_name_length CHECK (length(name) BETWEEN 1 AND 200),
    -- incoming: one series of the agency
    ADD CONSTRAINT books_in_one_series CHECK (direction = 'out' OR (NOT normative AND body_id IS NULL AND covers_rest)),
    -- normative: one series per type, never "the rest"
    ADD CONSTRAINT books_normative_per_type CHECK (NOT (normative AND covers_rest)),
    ADD CONSTRAINT books_scope UNIQUE (id, agency_id, normative, body_key);
CREATE UNIQUE INDEX books_one_open_rest ON books (agency_id, direction, normative, body_key)
 WHERE covers_rest AND closed_at IS NULL;

-- the listed types of the open outgoing books; a closed book lists none
CREATE TABLE book_types (
    book_id   bigint NOT NULL,
    agency_id bigint NOT NULL,
    normative boolean NOT NULL,
    body_key  bigint NOT NULL,
    type_code text NOT NULL REFERENCES document_types(code),
    PRIMARY KEY (book_id, type_code),
    FOREIGN KEY (book_id, agency_id, normative, body_key) REFERENCES books (id, agency_id, normative, body_key),
    -- coverage never overlaps
    CONSTRAINT book_types_once UNIQUE (agency_id, normative, body_key, type_code)
);

GRANT INSERT, UPDATE ON books TO qlvb_app;
GRANT USAGE ON SEQUENCE books_id_seq TO qlvb_app;
GRANT SELECT, INSERT, DELETE ON book_types TO qlvb_app;

-- one book per direction is gone: the book is chosen by book_in and book_for
DROP FUNCTION IF EXISTS book_of(bigint, text);

-- incoming duplicates are found by their notation as stored apart
-- (incoming_duplicate_of in sql/functions/workflow.sql)
DROP INDEX documents_in_notation;
CREATE INDEX documents_in_notation ON documents (agency_id, notation_key(notation))
 WHERE direction = 'in' AND notation IS NOT NULL;
