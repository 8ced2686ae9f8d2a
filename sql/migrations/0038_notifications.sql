-- Notifications: the history a phone reads (the truth) and the outbox the
-- push daemon sends from (a hint). One row per (person, what it is about),
-- unique, so that no sweep, retry or second daemon writes it twice. Those
-- that follow a change (an urgent document assigned, a draft waiting for
-- one's approval, a directive assigned to one's agency, a reminder) are
-- written in the change's transaction; the deadline warnings by the sweep.
-- The functions are in sql/functions/notifications.sql.

-- A phone's push token, registered by the app for the login it runs under:
-- the login's end removes it.
CREATE TABLE devices (
    user_id      bigint NOT NULL REFERENCES users(id),
    device_id    text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,100}$'),
    session_id   bigint NOT NULL REFERENCES sessions(id),
    platform     text NOT NULL CHECK (platform IN ('fcm', 'apns')),
    token        text NOT NULL CHECK (length(token) BETWEEN 1 AND 4096),
    app_version  text CHECK (length(app_version) <= 50),
    locale       text CHECK (length(locale) <= 35),
    disabled_at  timestamptz,          -- the provider said the token is gone: never sent to again
    disabled_why text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_id)
);
CREATE INDEX devices_session ON devices (session_id);

-- A person's push settings: quiet hours (held, then sent when they end,
-- except urgent ones) and whether a subject may show on the lock screen.
CREATE TABLE notification_settings (
    user_id      bigint PRIMARY KEY REFERENCES users(id),
    quiet_start  time NOT NULL DEFAULT '22:00',
    quiet_end    time NOT NULL DEFAULT '06:30',
    show_subject boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The warning thresholds of a task's deadline, as data: N working days
-- before the deadline's day (0: the day itself), at a local hour. Every
-- working day while overdue is one more, at the overdue hour.
CREATE TABLE notify_thresholds (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,20}$'),
    working_days  integer NOT NULL CHECK (working_days BETWEEN 0 AND 30),
    at_local      time NOT NULL
);
INSERT INTO notify_thresholds (code, working_days, at_local) VALUES
    ('wd3', 3, '08:00'), ('wd1', 1, '08:00'), ('day', 0, '08:00');

CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id),
    kind         text NOT NULL CHECK (kind IN ('task_due', 'task_overdue', 'urgent_document', 'draft_to_approve',
                                               'directive_assigned', 'reminder')),
    -- what makes it one: task:<id>:<threshold>, overdue:<id>:<day>, or the event's
    dedupe_key   text NOT NULL,
    task_id      bigint REFERENCES tasks(id),
    document_id  bigint REFERENCES documents(id),
    directive_id bigint REFERENCES directives(id),
    urgent       boolean NOT NULL DEFAULT false,
    subject      text,                 -- shown on the lock screen only if the person allows it
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    -- the push: pending, held in quiet hours, sent, or dead (given up)
    push_state   text NOT NULL DEFAULT 'pending' CHECK (push_state IN ('pending', 'sent', 'dead', 'none')),
    -- the person's notification feed: stamped with the person's version at
    -- commit (as the inbox's changes are), so versions follow commit order
    version      bigint,
    xid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_feed ON notifications (user_id, version);
CREATE INDEX notifications_pending ON notifications (id) WHERE push_state = 'pending';
ALTER TABLE users ADD COLUMN notice_version bigint NOT NULL DEFAULT 0;

CREATE INDEX tasks_open_deadline ON tasks (deadline) WHERE active AND finished_at IS NULL AND deadline IS NOT NULL;

-- first versions; their bodies are in sql/functions/notifications.sql
CREATE FUNCTION notifications_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER notifications_stamp AFTER INSERT OR UPDATE ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notifications_stamp();
CREATE FUNCTION sessions_end_devices() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER sessions_end_devices AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
    EXECUTE FUNCTION sessions_end_devices();

GRANT SELECT, INSERT, UPDATE, DELETE ON devices, notification_settings TO qlvb_app;
GRANT SELECT, INSERT, UPDATE ON notifications TO qlvb_app;
GRANT SELECT ON notify_thresholds TO qlvb_app;
GRANT USAGE ON SEQUENCE notifications_id_seq TO qlvb_app;

-- directive_figures takes its counts as numbers (sql/functions/directives.sql)
DROP FUNCTION IF EXISTS directive_figures(jsonb);
