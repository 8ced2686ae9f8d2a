-- Directives of the chairman (chỉ đạo điều hành): a member of the People's
-- Committee office with the tracker role records what the chairman or a
-- vice-chairman directed, from a document or a meeting's conclusion, with a
-- lead agency and coordinating agencies, each with its deadline. Each
-- assigned agency holds a task of the engine (source directive), held by its
-- clerks and leaders, and turns it into tasks of its own (sub-tasks). The
-- functions are in sql/functions/directives.sql.

-- Which agencies play which part in the province, by code (the seed loads
-- the agencies after the migrations): the People's Committee (its leaders
-- are the chairman and the vice-chairmen) and its office (its trackers
-- record and follow the directives).
CREATE TABLE province_parts (
    part        text PRIMARY KEY CHECK (part IN ('committee', 'committee_office')),
    agency_code text NOT NULL
);
INSERT INTO province_parts (part, agency_code) VALUES
    ('committee', '000.00.00.H19'),
    ('committee_office', '000.00.45.H19');

CREATE TABLE directives (
    id           bigserial PRIMARY KEY,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    content      text NOT NULL CHECK (length(content) BETWEEN 1 AND 10000),
    directed_by  bigint NOT NULL REFERENCES users(id),     -- the chairman or a vice-chairman
    source       text NOT NULL CHECK (source IN ('document', 'meeting')),
    document_id  bigint REFERENCES documents(id),
    meeting      text CHECK (length(meeting) BETWEEN 1 AND 500),  -- the meeting's conclusion (thông báo kết luận)
    priority     text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    recorded_by  bigint NOT NULL REFERENCES users(id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (source <> 'document' OR document_id IS NOT NULL),
    CHECK (source <> 'meeting' OR meeting IS NOT NULL)
);
CREATE INDEX directives_recent ON directives (id DESC);

ALTER TABLE tasks ADD COLUMN directive_id bigint REFERENCES directives(id);
ALTER TABLE tasks ADD CONSTRAINT tasks_directive CHECK (source <> 'directive' OR directive_id IS NOT NULL);
CREATE INDEX tasks_directive ON tasks (directive_id) WHERE directive_id IS NOT NULL;

-- When each assigned agency first opened its directive (a clerk or a
-- leader of it read the directive or its task).
CREATE TABLE directive_opened (
    task_id    bigint PRIMARY KEY REFERENCES tasks(id),
    user_id    bigint NOT NULL REFERENCES users(id),
    opened_at  timestamptz NOT NULL DEFAULT now()
);

-- Reminders (đôn đốc) the office sent to an agency about a directive.
CREATE TABLE directive_reminders (
    id        bigserial PRIMARY KEY,
    task_id   bigint NOT NULL REFERENCES tasks(id),
    sent_by   bigint NOT NULL REFERENCES users(id),
    note      text CHECK (length(note) <= 2000),
    sent_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX directive_reminders_task ON directive_reminders (task_id, id);

-- The office's dashboard answers from counts kept on every write, never
-- from a scan of the tasks: per assigned agency, state and deadline day,
-- the (directive, agency) pairs. A state is a fact that time does not
-- change (open, reported, done on time, done late, no deadline); whether
-- an open pair is in progress or overdue is folded in with the clock when
-- read (directive_stats), so the passage of time rewrites nothing.
CREATE TABLE directive_counts (
    agency_id    bigint NOT NULL REFERENCES agencies(id),
    state        text NOT NULL CHECK (state IN ('open', 'reported', 'done_on_time', 'done_late')),
    deadline_day date NOT NULL,        -- the local date the deadline ends; 9999-12-31 for none
    n            integer NOT NULL CHECK (n >= 0),
    PRIMARY KEY (agency_id, deadline_day, state)
);

GRANT SELECT ON province_parts TO qlvb_app;
GRANT SELECT, INSERT, UPDATE ON directives, directive_opened, directive_reminders, directive_counts TO qlvb_app;
GRANT USAGE ON SEQUENCE directives_id_seq, directive_reminders_id_seq TO qlvb_app;

-- kept by a trigger on every write of a task (its body is in
-- sql/functions/directives.sql; this first version is replaced there)
CREATE FUNCTION directive_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER tasks_directive_counts AFTER INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION directive_counts_track();
