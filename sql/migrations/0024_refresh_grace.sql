-- A refresh whose answer was lost: the phone sends the same (now rotated)
-- refresh token again. Within a grace window the server answers with the
-- very pair its rotation issued, recomputed rather than stored: the new
-- refresh token is an HMAC of the old one under a server key (stored, like
-- every refresh token, only as its SHA-256, with its parent), and the
-- access token is signed again from the rotation's recorded issue time and
-- an id derived the same way. After the window, reuse ends the session as
-- before. Sessions also remember their last refresh and its address, for
-- the user's list of sessions.
ALTER TABLE refresh_tokens ADD COLUMN parent_id bigint REFERENCES refresh_tokens(id),
                           ADD COLUMN rotated_iat bigint;
CREATE UNIQUE INDEX refresh_tokens_parent ON refresh_tokens (parent_id) WHERE parent_id IS NOT NULL;
ALTER TABLE sessions ADD COLUMN last_refresh_at timestamptz,
                     ADD COLUMN last_ip text;
