-- Sign-in throttling. A failure counts against the name (known or not, so
-- both behave alike); after p_lock_after failures in a row the name is
-- locked for 30 s, doubling with each further failure up to an hour. A
-- failure after a quiet day starts the count again, and the lock is
-- computed from the count as it now is.
CREATE OR REPLACE FUNCTION login_failed(p_username text, p_lock_after integer) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE t login_throttle; v_count integer;
BEGIN
    INSERT INTO login_throttle (username, failures, last_failure_at) VALUES (p_username, 0, qlvb_now())
    ON CONFLICT (username) DO NOTHING;
    SELECT * INTO t FROM login_throttle WHERE username = p_username FOR UPDATE;
    v_count := CASE WHEN t.failures = 0 OR t.last_failure_at < qlvb_now() - interval '1 day' THEN 1
                    ELSE t.failures + 1 END;
    UPDATE login_throttle
       SET failures = v_count, last_failure_at = qlvb_now(),
           locked_until = CASE WHEN v_count >= p_lock_after
                               THEN qlvb_now() + least(interval '1 hour',
                                                       interval '30 seconds' * power(2, v_count - p_lock_after))
                               WHEN v_count = 1 THEN NULL
                               ELSE locked_until END
     WHERE username = p_username;
    RETURN v_count;
END $$;

-- A sign-in still in use at p_now: not ended, and its current refresh
-- token not yet expired (a phone left signed in for longer must sign in
-- again, and until then nothing is sent to it).
CREATE OR REPLACE FUNCTION session_live(p_session bigint, p_now timestamptz) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM sessions s JOIN refresh_tokens rt ON rt.session_id = s.id
                    WHERE s.id = p_session AND s.revoked_at IS NULL AND rt.rotated_at IS NULL AND rt.expires_at > p_now)
$$;

-- Ends every sign-in of a user but p_except (NULL: all): the sessions it
-- revoked, for the API to mirror into Redis.
CREATE OR REPLACE FUNCTION user_sessions_end(p_user bigint, p_reason text, p_except bigint)
    RETURNS SETOF bigint LANGUAGE sql AS $$
    UPDATE sessions SET revoked_at = qlvb_now(), revoke_reason = p_reason
     WHERE user_id = p_user AND revoked_at IS NULL AND id IS DISTINCT FROM p_except
    RETURNING id
$$;

-- An agency administrator (role admin in the agency of the user's primary
-- membership) may manage the user's account; the user, or raises.
CREATE OR REPLACE FUNCTION account_managed_by(p_admin bigint, p_user bigint) RETURNS users
    LANGUAGE plpgsql AS $$
DECLARE u users; v_agency bigint;
BEGIN
    SELECT * INTO u FROM users WHERE id = p_user FOR UPDATE;
    IF u.id IS NULL THEN
        PERFORM problem_raise('user-not-found', 'no such user', 'không có người dùng này');
    END IF;
    SELECT agency_id INTO v_agency FROM memberships WHERE user_id = p_user ORDER BY is_primary DESC, id LIMIT 1;
    IF v_agency IS NULL OR NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = p_admin AND agency_id = v_agency) THEN
        PERFORM problem_raise('user-not-found', 'no such user', 'không có người dùng này');       -- another agency's people are not shown
    END IF;
    IF NOT has_role(p_admin, v_agency, ARRAY['admin']) THEN
        PERFORM problem_raise('forbidden', 'only an administrator of the user''s agency manages the account',
                              'chỉ quản trị viên của cơ quan người dùng mới quản lý tài khoản này');
    END IF;
    RETURN u;
END $$;

-- Deactivates (p_active false) or reactivates an account; deactivation ends
-- every sign-in of it. The sessions ended.
CREATE OR REPLACE FUNCTION account_set_active(p_admin bigint, p_user bigint, p_active boolean)
    RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE u users := account_managed_by(p_admin, p_user);
BEGIN
    IF u.id = p_admin AND NOT p_active THEN
        PERFORM problem_raise('invalid-value', 'an administrator does not deactivate their own account',
                              'quản trị viên không tự khóa tài khoản của mình');
    END IF;
    UPDATE users SET is_active = p_active WHERE id = u.id;
    IF NOT p_active THEN
        RETURN QUERY SELECT user_sessions_end(u.id, 'deactivated', NULL);
    END IF;
END $$;

-- Sets a password hash an administrator chose; every sign-in ends.
CREATE OR REPLACE FUNCTION account_password_reset(p_admin bigint, p_user bigint, p_hash text)
    RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE u users := account_managed_by(p_admin, p_user);
BEGIN
    UPDATE users SET password_hash = p_hash WHERE id = u.id;
    RETURN QUERY SELECT user_sessions_end(u.id, 'password-reset', NULL);
END $$;

-- Clears the lock failed sign-ins put on the account's name.
CREATE OR REPLACE FUNCTION account_unlock(p_admin bigint, p_user bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE u users := account_managed_by(p_admin, p_user);
BEGIN
    DELETE FROM login_throttle WHERE username = u.username;
END $$;
