-- The push outbox (sql/functions/notifications.sql): pending notifications
-- packed per person into one message (a group when several), held in the
-- quiet hours unless urgent, a send per phone; sends claimed for a lease,
-- never twice at once; retried, given up, or stopped for good when the
-- provider says the token is gone (and the phone is disabled).
BEGIN;
SELECT plan(18);

\ir lib/common.psql

SET LOCAL qlvb.test_mode = on;
INSERT INTO sessions (user_id, device_name) VALUES (pg_temp.uid('stp.chuyenvien'), 'thử') RETURNING id \gset s_
INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
VALUES (:s_id, sha256(convert_to('push-test-s', 'UTF8')), now() + interval '30 days');
INSERT INTO devices (user_id, device_id, session_id, platform, token)
VALUES (pg_temp.uid('stp.chuyenvien'), 'iphone', :s_id, 'apns', 'tok-iphone'),
       (pg_temp.uid('stp.chuyenvien'), 'android', :s_id, 'fcm', 'tok-android');
DELETE FROM notifications WHERE user_id = pg_temp.uid('stp.chuyenvien');
SELECT notify(pg_temp.uid('stp.chuyenvien'), 'urgent_document', 'push:1', NULL, NULL, NULL, true, 'Hỏa tốc');
SELECT notify(pg_temp.uid('stp.chuyenvien'), 'task_due', 'push:2', NULL, NULL, NULL, false, 'Báo cáo');
SELECT notify(pg_temp.uid('stp.chuyenvien'), 'task_due', 'push:3', NULL, NULL, NULL, false, 'Kế hoạch');

-- 23:00 local: the quiet hours hold all but the urgent one
SELECT is(notify_pack('2026-03-09 23:00+07'), 1, 'in the quiet hours one message: the urgent one');
SELECT is((SELECT array_agg(push_state ORDER BY dedupe_key) FROM notifications WHERE dedupe_key LIKE 'push:%'),
          ARRAY['packed', 'pending', 'pending'], 'the others wait for the morning');
SELECT is((SELECT count(*) FROM push_sends s JOIN push_messages m ON m.id = s.message_id
            WHERE m.user_id = pg_temp.uid('stp.chuyenvien')), 2::bigint, 'a send to each phone');
-- 07:00: the two others go as one group
SELECT is(notify_pack('2026-03-10 07:00+07'), 2, 'after the quiet hours: the two others');
SELECT is((SELECT cardinality(members) FROM push_messages WHERE user_id = pg_temp.uid('stp.chuyenvien') ORDER BY id DESC LIMIT 1),
          2, 'a group of the two, naming both');
SELECT is((SELECT push_payload(m)->>'title' FROM push_messages m WHERE user_id = pg_temp.uid('stp.chuyenvien') ORDER BY id DESC LIMIT 1),
          'Bạn có 2 thông báo mới', 'the group says how many, never their subjects');
SELECT is(notify_pack('2026-03-10 07:01+07'), 0, 'packed once: nothing more to pack');

-- claims: all four sends once, none again while leased
CREATE TEMP TABLE got AS SELECT * FROM notify_claim(10, 30);
SELECT is((SELECT count(*) FROM got), 4::bigint, 'four sends claimed');
SELECT is((SELECT count(*) FROM notify_claim(10, 30)), 0::bigint, 'none again while their leases run');
SELECT ok((SELECT bool_and(payload->'data'->>'message_id' = message_id::text) FROM got), 'each carries its message id');

-- outcomes, recorded under each send's lease
CREATE FUNCTION pg_temp.result(p_send bigint, p_outcome text, p_status text, p_retry integer, p_max integer)
    RETURNS void LANGUAGE sql AS $$
    SELECT notify_result(p_send, (SELECT lease_until FROM push_sends WHERE id = p_send), p_outcome, p_status, p_retry, p_max)
$$;
SELECT pg_temp.result((SELECT send_id FROM got WHERE platform = 'apns' ORDER BY send_id LIMIT 1), 'sent', '200', NULL, 5);
SELECT pg_temp.result((SELECT send_id FROM got WHERE platform = 'fcm' ORDER BY send_id LIMIT 1), 'retry', '503', 0, 5);
SELECT is((SELECT count(*) FROM notify_claim(10, 30)), 1::bigint, 'a retry is claimed again when due');
SELECT pg_temp.result((SELECT send_id FROM got WHERE platform = 'fcm' ORDER BY send_id DESC LIMIT 1), 'gone', 'UNREGISTERED', NULL, 5);
SELECT ok((SELECT disabled_at IS NOT NULL FROM devices WHERE device_id = 'android' AND user_id = pg_temp.uid('stp.chuyenvien')),
          'a token the provider says is gone disables its phone');
SELECT notify(pg_temp.uid('stp.chuyenvien'), 'task_due', 'push:4', NULL, NULL, NULL, true, 'Mới');
SELECT notify_pack('2026-03-10 08:00+07');
SELECT is((SELECT array_agg(device_id) FROM push_sends s JOIN push_messages m ON m.id = s.message_id
            WHERE m.members = ARRAY[(SELECT id FROM notifications WHERE dedupe_key = 'push:4')]),
          ARRAY['iphone'], 'and it is never sent to again');
-- a send that keeps failing becomes a dead letter, and an administrator replays it
UPDATE push_sends SET tries = 5 WHERE id = (SELECT send_id FROM got WHERE platform = 'apns' ORDER BY send_id DESC LIMIT 1);
SELECT pg_temp.result((SELECT send_id FROM got WHERE platform = 'apns' ORDER BY send_id DESC LIMIT 1), 'retry', '500', NULL, 5);
SELECT is((SELECT state FROM push_sends WHERE id = (SELECT send_id FROM got WHERE platform = 'apns' ORDER BY send_id DESC LIMIT 1)),
          'dead', 'five tries: a dead letter');
-- an outcome under a lease that ran out (another daemon holds the send now) changes nothing
UPDATE push_sends SET state = 'pending', lease_until = now() + interval '1 minute' WHERE id = (SELECT send_id FROM got ORDER BY send_id LIMIT 1);
SELECT notify_result((SELECT send_id FROM got ORDER BY send_id LIMIT 1), now() - interval '1 minute', 'dead', 'late', NULL, 5);
SELECT is((SELECT state FROM push_sends WHERE id = (SELECT send_id FROM got ORDER BY send_id LIMIT 1)), 'pending',
          'a late outcome from a lease that ran out is not recorded');

-- a group names at most 50: 120 due at once are three messages
INSERT INTO sessions (user_id, device_name) VALUES (pg_temp.uid('stp.truongphong'), 'thử') RETURNING id \gset t_
INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
VALUES (:t_id, sha256(convert_to('push-test-t', 'UTF8')), now() + interval '30 days');
INSERT INTO devices (user_id, device_id, session_id, platform, token)
VALUES (pg_temp.uid('stp.truongphong'), 'many', :t_id, 'fcm', 'tok-many');
UPDATE notifications SET push_state = 'none' WHERE push_state = 'pending';      -- this part's own alone
SELECT notify(pg_temp.uid('stp.truongphong'), 'task_due', 'many:' || g, NULL, NULL, NULL, true, 'x') FROM generate_series(1, 120) g;
SELECT notify(pg_temp.uid('stp.chuyenvien'), 'task_due', 'many:other', NULL, NULL, NULL, true, 'x');
-- a batch of one person a call: each takes all that waits for its person
SELECT is((SELECT array_agg(x ORDER BY x) FROM (VALUES (notify_pack('2026-03-10 09:00+07', 1)),
                                                       (notify_pack('2026-03-10 09:00+07', 1))) v(x)),
          ARRAY[1, 120], 'a batch of people at a time, all that waits for each');
SELECT is(notify_pack('2026-03-10 09:00+07', 1), 0, 'then nothing waits');
SELECT is((SELECT array_agg(cardinality(members) ORDER BY id) FROM push_messages
            WHERE user_id = pg_temp.uid('stp.truongphong') AND NOT silent),
          ARRAY[50, 50, 20], 'a group names at most 50: a push stays within 4 KB');

SELECT * FROM finish();
ROLLBACK;
