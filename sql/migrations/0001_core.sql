-- Agencies, units, users and their memberships, sign-in sessions, throttling
-- of failed sign-ins, and the append-only audit log.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The role the API workers connect as: it owns no table and gets only the
-- rights granted here.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qlvb_app') THEN
        CREATE ROLE qlvb_app NOLOGIN;
    END IF;
END $$;

-- Agencies are dated rows: a rename or merger closes a row (valid_to) and
-- opens another, so old documents keep pointing at the agency as it was.
CREATE TABLE agencies (
    id            bigserial PRIMARY KEY,
    code          text NOT NULL CHECK (code ~ '^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    abbr          text NOT NULL CHECK (length(abbr) BETWEEN 1 AND 20),
    kind          text NOT NULL CHECK (kind IN ('province', 'department', 'district', 'organisation')),
    parent_id     bigint REFERENCES agencies(id),
    rollout_phase smallint,
    valid_from    date NOT NULL DEFAULT DATE '2020-01-01',
    valid_to      date,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX agencies_code_current ON agencies (code) WHERE valid_to IS NULL;

CREATE TABLE units (
    id        bigserial PRIMARY KEY,
    agency_id bigint NOT NULL REFERENCES agencies(id),
    code      text NOT NULL,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    abbr      text NOT NULL CHECK (length(abbr) BETWEEN 1 AND 20),
    UNIQUE (agency_id, abbr)
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username = lower(username) AND username ~ '^[a-z0-9._-]{2,64}$'),
    full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    email         text,
    phone         text,
    password_hash text NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Roles are rows so that a province can add its own.
CREATE TABLE roles (
    code text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO roles (code, name) VALUES
    ('admin',    'Quản trị hệ thống'),
    ('leader',   'Lãnh đạo cơ quan'),
    ('head',     'Lãnh đạo phòng, ban'),
    ('official', 'Chuyên viên'),
    ('clerk',    'Văn thư'),
    ('tracker',  'Theo dõi nhiệm vụ chỉ đạo');

CREATE TABLE memberships (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id),
    agency_id  bigint NOT NULL REFERENCES agencies(id),
    unit_id    bigint REFERENCES units(id),
    position   text NOT NULL CHECK (position IN ('leader', 'deputy_leader', 'head', 'deputy_head',
                                                 'official', 'clerk', 'admin')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    roles      text[] NOT NULL DEFAULT '{}',
    is_primary boolean NOT NULL DEFAULT true
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_agency ON memberships (agency_id);

-- One row per sign-in on a device. Access tokens carry its id (sid); a
-- revoked session stops all of them.
CREATE TABLE sessions (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id),
    device_name   text NOT NULL,
    ip            text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    revoke_reason text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens are stored only as their SHA-256.
CREATE TABLE refresh_tokens (
    id         bigserial PRIMARY KEY,
    session_id bigint NOT NULL REFERENCES sessions(id),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed sign-ins per name (known or not, so both behave alike) ...
CREATE TABLE login_throttle (
    username        text PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_failure_at timestamptz
);
-- ... and per address, to slow one address that tries many names.
CREATE TABLE login_failures (
    id       bigserial PRIMARY KEY,
    ip       text NOT NULL,
    username text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_ip_at ON login_failures (ip, at);

-- Append-only: the app role may insert and read, never change or delete.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     bigint,
    action      text NOT NULL,
    object_type text,
    object_id   bigint,
    ip          text,
    request_id  text,
    detail      jsonb
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

GRANT SELECT ON agencies, units, roles, memberships TO qlvb_app;
GRANT SELECT, INSERT, UPDATE ON users, sessions, refresh_tokens TO qlvb_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle, login_failures TO qlvb_app;
GRANT SELECT, INSERT ON audit_log TO qlvb_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO qlvb_app;
