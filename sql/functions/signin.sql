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
