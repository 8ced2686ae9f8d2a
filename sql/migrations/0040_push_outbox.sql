-- The push outbox. A message is what one push carries: one notification,
-- or a group of those that became due together for one person (the group
-- has its own id and names its members); a notification is in at most one
-- message (push_message_members' key). A send is a message to one of the
-- person's phones, claimed by a daemon for a lease (FOR UPDATE SKIP LOCKED:
-- two daemons never hold the same send), retried with backoff, given up to
-- a dead letter, or stopped when the provider says the token is gone. A
-- send the provider accepted just before its daemon was killed may go
-- again when its lease ends, with the same message id, for the phone to
-- drop. Times here are the real clock's (providers and leases know no
-- other); the hours that hold a push back are the one clock's.
ALTER TABLE notifications DROP CONSTRAINT notifications_push_state_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_push_state_check
    CHECK (push_state IN ('pending', 'packed', 'none', 'sent', 'dead'));

CREATE TABLE push_messages (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id),
    members     bigint[] NOT NULL CHECK (cardinality(members) >= 1),
    urgent      boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE push_message_members (
    notification_id bigint PRIMARY KEY REFERENCES notifications(id),
    message_id      bigint NOT NULL REFERENCES push_messages(id)
);
CREATE TABLE push_sends (
    id           bigserial PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES push_messages(id),
    user_id      bigint NOT NULL,
    device_id    text NOT NULL,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead', 'gone')),
    tries        integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    last_status  text,
    sent_at      timestamptz,
    UNIQUE (message_id, user_id, device_id)
);
CREATE INDEX push_sends_due ON push_sends (next_at) WHERE state = 'pending';
CREATE INDEX push_sends_dead ON push_sends (id) WHERE state = 'dead';

GRANT SELECT, INSERT, UPDATE ON push_messages, push_message_members, push_sends TO qlvb_app;
GRANT USAGE ON SEQUENCE push_messages_id_seq, push_sends_id_seq TO qlvb_app;
