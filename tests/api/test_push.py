"""qlvb-notify against the fake FCM and APNs (tests/fake/providers.mjs),
which check what they receive as the real services do (the OAuth assertion
and the APNs provider token signed with the real clock, FCM's message
schema, APNs' headers) and record what they accept. Every notification
reaches every phone of its person, none twice without a kill; a token the
provider says is gone is never sent to again; refusals are retried; the
quiet hours hold what is not urgent; a worker killed with SIGKILL in the
middle of 1,000 sends, and two daemons at once, lose nothing and enqueue
nothing twice; the repeats are at most the sends in flight at a kill. The
same holds for 1,000 tasks crossing their deadlines' thresholds as the
clock moves, the daemon killed while it sweeps, packs and sends (make soak:
10,000 of each)."""
import collections
import contextlib
import json
import os
import shlex
import signal
import subprocess
import threading
import time
import urllib.request

from lib import (PORT, ROOT, VAR, TableLock, admin, call, login, pid_of, psql, set_clock_offset, tok, tokens,
                 wait_for)

BIN = os.environ.get("QLVB_BIN", os.path.join(ROOT, "bin"))

CONTROL = os.environ.get("QLVB_FAKE_CONTROL", f"http://127.0.0.1:{PORT + 22}")


def fake(path, body=None):
    req = urllib.request.Request(CONTROL + path, data=json.dumps(body).encode() if body is not None else None,
                                 method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def summary():
    log = fake("/log")
    return f"{len(log['accepted'])} accepted, refused: {log['refused'][-3:]}"


def accepted(token):
    return [a for a in fake("/log")["accepted"] if a["token"] == token]


def register(user, device, platform, token):
    r = call("PUT", f"/api/v1/me/devices/{device}", token=tok(user), body={"platform": platform, "token": token})
    assert r.status == 200, r


def notify(user, key, urgent=False, kind="task_due"):
    """A notification as the app's transactions write them (notify() in
    sql/functions/notifications.sql), the daemon woken after the commit."""
    psql(f"SELECT notify((SELECT id FROM users WHERE username = '{user}'), '{kind}', '{key}', NULL, NULL, NULL,"
         f" {str(urgent).lower()}, 'Thử')")
    return int(psql(f"SELECT id FROM notifications WHERE dedupe_key = '{key}'"))


def notify_worker():
    out = subprocess.run(["pgrep", "-P", str(pid_of("notify"))], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def test_a_notification_reaches_each_phone_of_its_person_with_its_id_once():
    register("stp.truongphong", "iphone-push", "apns", "apnspushtruongphong01")
    register("stp.truongphong", "android-push", "fcm", "fcm-push-truongphong")
    nid = notify("stp.truongphong", "push-test:one", urgent=True)
    got = wait_for(lambda: len(accepted("apnspushtruongphong01")) >= 1 and len(accepted("fcm-push-truongphong")) >= 1, 15)
    assert got, summary()
    a, f = accepted("apnspushtruongphong01")[0], accepted("fcm-push-truongphong")[0]
    assert a["ids"] == f["ids"] == str(nid) and a["message_id"] == f["message_id"] == a["collapse_id"], (a, f)
    assert a["priority"] == "10" and f["priority"] == "HIGH" and a["title"] == "Nhiệm vụ sắp đến hạn" and not a.get("body")
    assert not fake("/log")["refused"], fake("/log")["refused"]
    # packing and sending it changed nothing a phone's feed shows
    t = tokens("stp.truongphong")["access_token"]
    since = call("GET", "/api/v1/me/notifications/changes", token=t).json["next"]
    psql(f"UPDATE notifications SET push_state = 'sent' WHERE id = {nid}")
    assert call("GET", f"/api/v1/me/notifications/changes?since={since}", token=t).json["changed"] == []
    sends = (f"SELECT string_agg(s.device_id || '=' || s.state, ',' ORDER BY s.device_id) FROM push_sends s"
             f" JOIN push_messages m ON m.id = s.message_id WHERE {nid} = ANY (m.members)"
             f" AND s.device_id IN ('android-push', 'iphone-push')")
    assert wait_for(lambda: psql(sends) == "android-push=sent,iphone-push=sent", 10), psql(sends)
    # the history says so too, and nothing is sent twice
    assert wait_for(lambda: len(accepted("apnspushtruongphong01")) == 1, 2) is not None
    assert len(accepted("apnspushtruongphong01")) == 1 and len(accepted("fcm-push-truongphong")) == 1


def test_a_notification_read_on_one_phone_is_cleared_on_the_others_by_a_silent_push():
    phone = login("stttt.vanthu", device="Điện thoại").json["access_token"]
    tablet = login("stttt.vanthu", device="Máy tính bảng").json["access_token"]
    assert call("PUT", "/api/v1/me/devices/read-phone", token=phone, body={"platform": "fcm", "token": "fcm-read-phone"}).status == 200
    assert call("PUT", "/api/v1/me/devices/read-tablet", token=tablet, body={"platform": "apns", "token": "apnsreadtablet01"}).status == 200
    nid = notify("stttt.vanthu", "push-test:read", urgent=True)
    assert wait_for(lambda: accepted("fcm-read-phone") and accepted("apnsreadtablet01"), 15), summary()
    assert call("POST", f"/api/v1/me/notifications/{nid}/read", token=phone).status == 200
    silent = lambda: [a for a in accepted("apnsreadtablet01") if a.get("kind") == "read"]
    assert wait_for(silent, 15), summary()
    assert silent()[0]["ids"] == str(nid) and silent()[0]["push_type"] == "background", silent()
    assert not fake("/log")["refused"], fake("/log")["refused"]
    assert wait_for(lambda: len(accepted("fcm-read-phone")) > 1, 1) is False or len(accepted("fcm-read-phone")) == 1, \
        "the phone that marked it is not woken"
    # read again: no change, no push
    assert call("POST", f"/api/v1/me/notifications/{nid}/read", token=tablet).status == 200
    assert wait_for(lambda: len(silent()) > 1, 2) is False or len(silent()) == 1


def test_a_webhook_to_an_sms_gateway_is_signed_with_the_time_and_sent_once():
    register("chutich", "sms", "webhook", "+84901234567")
    nid = notify("chutich", "push-test:webhook", urgent=True)
    got = wait_for(lambda: accepted("+84901234567"), 15)
    assert got and got[0]["service"] == "webhook" and got[0]["ids"] == str(nid), summary()
    assert not [r for r in fake("/log")["refused"] if r["service"] == "webhook"], summary()
    assert wait_for(lambda: len(accepted("+84901234567")) > 1, 1) is False or len(accepted("+84901234567")) == 1


def test_a_token_the_provider_says_is_gone_is_never_sent_to_again():
    register("stp.phogiamdoc", "old-phone", "fcm", "fcm-push-gone")
    register("stp.phogiamdoc", "old-iphone", "apns", "apnspushgone0001")
    fake("/behave", {"token": "fcm-push-gone", "answer": "unregistered"})
    fake("/behave", {"token": "apnspushgone0001", "answer": "unregistered"})
    notify("stp.phogiamdoc", "push-test:gone-1", urgent=True)
    devices = lambda: {d["device_id"]: d["disabled"] for d in call("GET", "/api/v1/me/devices", token=tok("stp.phogiamdoc")).json["items"]}
    assert wait_for(lambda: devices().get("old-phone") and devices().get("old-iphone"), 15), devices()
    notify("stp.phogiamdoc", "push-test:gone-2", urgent=True)
    assert wait_for(lambda: psql("SELECT push_state FROM notifications WHERE dedupe_key = 'push-test:gone-2'") == "none", 10)
    assert accepted("fcm-push-gone") == [] and accepted("apnspushgone0001") == []
    # registered again (a new token for the same phone): sent to again
    register("stp.phogiamdoc", "old-phone", "fcm", "fcm-push-renewed")
    notify("stp.phogiamdoc", "push-test:gone-3", urgent=True)
    assert wait_for(lambda: accepted("fcm-push-renewed"), 15)


def test_a_phone_whose_sign_in_lapsed_is_not_sent_to_until_it_signs_in_again():
    kept = login("vp.chuyenvien", device="Điện thoại mới").json["access_token"]
    lapsed = login("vp.chuyenvien", device="Điện thoại cũ").json["access_token"]
    assert call("PUT", "/api/v1/me/devices/kept-phone", token=kept, body={"platform": "fcm", "token": "fcm-kept"}).status == 200
    assert call("PUT", "/api/v1/me/devices/lapsed-phone", token=lapsed,
                body={"platform": "fcm", "token": "fcm-lapsed"}).status == 200
    # the old phone's refresh token runs out (left signed in past QLVB_REFRESH_TTL)
    psql("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id ="
         " (SELECT session_id FROM devices WHERE device_id = 'lapsed-phone')")
    first = notify("vp.chuyenvien", "push-test:lapsed-1", urgent=True)
    assert wait_for(lambda: [a for a in accepted("fcm-kept") if a["ids"] == str(first)], 15), summary()
    assert psql(f"SELECT count(*) FROM push_sends s JOIN push_messages m ON m.id = s.message_id"
                f" WHERE {first} = ANY (m.members) AND s.device_id = 'lapsed-phone'") == "0"
    assert accepted("fcm-lapsed") == []
    listed = lambda: {d["device_id"] for d in call("GET", "/api/v1/me/devices", token=kept).json["items"]}
    assert "lapsed-phone" not in listed() and "kept-phone" in listed(), listed()
    # signed in again on that phone, registered again: sent to again
    again = login("vp.chuyenvien", device="Điện thoại cũ").json["access_token"]
    assert call("PUT", "/api/v1/me/devices/lapsed-phone", token=again,
                body={"platform": "fcm", "token": "fcm-lapsed"}).status == 200
    assert "lapsed-phone" in listed()
    second = notify("vp.chuyenvien", "push-test:lapsed-2", urgent=True)
    assert wait_for(lambda: [a for a in accepted("fcm-lapsed") if a["ids"] == str(second)], 15), summary()


def test_refusals_are_retried_as_the_provider_asks_until_accepted():
    register("stttt.chuyenvien", "retry-phone", "fcm", "fcm-push-retry")
    fake("/behave", {"token": "fcm-push-retry", "answer": "429", "times": 1})
    fake("/behave", {"token": "fcm-push-retry", "answer": "500", "times": 2})
    nid = notify("stttt.chuyenvien", "push-test:retry", urgent=True)
    assert wait_for(lambda: accepted("fcm-push-retry"), 40), summary()
    s = psql(f"SELECT tries || ' ' || state FROM push_sends s JOIN push_messages m ON m.id = s.message_id WHERE {nid} = ANY (m.members)")
    assert s == "4 sent", s
    assert len(accepted("fcm-push-retry")) == 1


def test_a_send_refused_for_good_is_a_dead_letter_an_administrator_replays():
    register("stttt.giamdoc", "dead-phone", "fcm", "fcm-push-dead")
    fake("/behave", {"token": "fcm-push-dead", "answer": "invalid", "times": 1})
    nid = notify("stttt.giamdoc", "push-test:dead", urgent=True)
    state = (f"SELECT s.id || ' ' || s.state FROM push_sends s JOIN push_messages m ON m.id = s.message_id"
             f" WHERE {nid} = ANY (m.members) AND s.device_id = 'dead-phone'")
    assert wait_for(lambda: psql(state).endswith(" dead"), 15), psql(state)
    send = psql(state).split()[0]
    listed = admin("push-dead-letters")
    assert listed.returncode == 0 and any(l.startswith(send + "\t") for l in listed.stdout.splitlines()), listed.stdout
    assert accepted("fcm-push-dead") == []
    r = admin("push-replay", send)
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: accepted("fcm-push-dead"), 15), summary()
    assert admin("push-replay", send).returncode != 0, "a send no longer dead is not replayed"


def test_the_quiet_hours_hold_what_is_not_urgent_until_they_end():
    register("stttt.truongphong", "quiet-phone", "apns", "apnspushquiet0001")
    now = psql("SELECT to_char(qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'HH24:MI')")
    h, m = map(int, now.split(":"))
    start, end = f"{(h + 23) % 24:02d}:{m:02d}", f"{(h + 1) % 24:02d}:{m:02d}"
    assert call("PUT", "/api/v1/me/notification-settings", token=tok("stttt.truongphong"),
                body={"quiet_start": start, "quiet_end": end}).status == 200
    held = notify("stttt.truongphong", "push-test:quiet-normal")
    urgent = notify("stttt.truongphong", "push-test:quiet-urgent", urgent=True)
    assert wait_for(lambda: [a for a in accepted("apnspushquiet0001") if a["ids"] == str(urgent)], 15), summary()
    assert psql(f"SELECT push_state FROM notifications WHERE id = {held}") == "pending"
    assert not [a for a in accepted("apnspushquiet0001") if a["ids"] == str(held)]
    # the history has it already
    ids = [n["id"] for n in call("GET", "/api/v1/me/notifications?limit=5", token=tok("stttt.truongphong")).json["items"]]
    assert held in ids and urgent in ids
    assert call("PUT", "/api/v1/me/notification-settings", token=tok("stttt.truongphong"),
                body={"quiet_start": "00:00", "quiet_end": "00:00"}).status == 200
    assert wait_for(lambda: [a for a in accepted("apnspushquiet0001") if a["ids"] == str(held)], 15)


def _many(n, prefix):
    """Ten people of their own, each with a phone."""
    users = [f"bulk.{prefix}{i}" for i in range(10)]
    for i, u in enumerate(users):
        r = admin("create-user", u, "Người nhận thử", "000.00.21.H19", "official", "Chuyên viên", "", stdin="push-pass-1\n")
        assert r.returncode == 0, r.stderr
        t = tokens(u, "push-pass-1")["access_token"]
        assert call("PUT", f"/api/v1/me/devices/bulk-{i}", token=t,
                    body={"platform": "fcm", "token": f"fcm-{prefix}-{i}"}).status == 200
    return users


def _delivered(prefix, ids=None):
    """The prefix's notifications (or those the query ids names) not yet
    accepted by the fake on the prefix's phones (by the ids each message
    names), and how many times each message was accepted."""
    ids = ids or f"SELECT id FROM notifications WHERE dedupe_key LIKE '{prefix}:%'"
    want = set(psql(f"SELECT string_agg(id::text, ',') FROM ({ids}) x").split(","))
    log = [a for a in fake("/log")["accepted"] if a["token"].startswith(f"fcm-{prefix}-")]
    got = {i for a in log for i in (a["ids"] or "").split(",")}
    return want - got, collections.Counter(a["message_id"] for a in log)


def _trickle(n, prefix, batches):
    """n notifications in batches, each its own commit: the daemon packs and
    sends while they come."""
    per = n // batches
    for b in range(batches):
        psql(f"""SELECT notify(u.id, 'task_due', '{prefix}:' || g, NULL, NULL, NULL, true, 'Thử')
                   FROM generate_series({b * per + 1}, {(b + 1) * per}) g
                   JOIN users u ON u.username = 'bulk.{prefix}' || (g % 10)""")


SOAK = int(os.environ.get("QLVB_PUSH_N", "1000"))     # make soak: 10,000


def test_a_worker_killed_in_the_middle_of_1000_sends_loses_nothing():
    _many(10, "kill")
    fake("/delay", {"ms": 150})          # each answer a little late: sends are in flight at the kills
    started = time.monotonic()
    writer = threading.Thread(target=_trickle, args=(SOAK, "kill", 100))
    writer.start()
    try:
        in_flight_at_kills = []
        for _ in range(3):
            before = len(_delivered("kill")[1])
            assert wait_for(lambda: len(_delivered("kill")[1]) > before, 30), "sending"
            in_flight_at_kills.append(_kill_worker())
        writer.join()
        assert wait_for(lambda: not _delivered("kill")[0], 120 + SOAK // 50, step=0.5), \
            f"never arrived: {sorted(_delivered('kill')[0])[:10]}"
    finally:
        writer.join()
        fake("/delay", {"ms": 0})
    missing, seen = _delivered("kill")
    repeats = sum(c - 1 for c in seen.values())
    print(f"soak: {SOAK} notifications in {len(seen)} messages, {len(in_flight_at_kills)} kills"
          f" (sends in flight at them: {in_flight_at_kills}), {repeats} repeats, {time.monotonic() - started:.1f} s")
    assert repeats <= sum(in_flight_at_kills), (repeats, in_flight_at_kills)    # only those may come twice
    assert len(seen) > 10, "sent as many messages, not one group"
    assert psql("SELECT count(*) FROM notifications WHERE dedupe_key LIKE 'kill:%'") == str(SOAK), "none written twice"
    assert psql("SELECT count(*) FROM push_message_members pm JOIN notifications n ON n.id = pm.notification_id"
                " WHERE n.dedupe_key LIKE 'kill:%'") == str(SOAK), "each in exactly one message"


class SecondDaemon:
    """A second qlvb-notify beside the supervised one, unsupervised, with the
    stack's configuration, until the end of a with block."""

    def __enter__(self):
        env = dict(os.environ, QLVB_VAR=VAR)
        env_lines = subprocess.run(["bash", os.path.join(ROOT, "deploy", "stack.sh"), "env"], capture_output=True,
                                   text=True, env=dict(os.environ, QLVB_VAR=VAR, QLVB_PORT=str(PORT))).stdout
        for line in env_lines.splitlines():               # export NAME=value, the value quoted for a shell
            k, _, v = line.removeprefix("export ").partition("=")
            env[k] = shlex.split(v)[0] if v else ""
        env["QLVB_NOTIFY_PIDFILE"] = os.path.join(VAR, "run", "notify-second.pid")
        self.proc = subprocess.Popen(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
                                      os.path.join(BIN, "qlvb-notify")], env=env,
                                     stdout=open(os.path.join(VAR, "log", "notify-second.log"), "a"),
                                     stderr=subprocess.STDOUT)
        daemons = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qlvb-notify'"
        if not wait_for(lambda: int(psql(daemons)) >= 2, 15):
            self.__exit__()
            raise AssertionError("the second daemon did not connect")
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def test_two_daemons_at_once_send_each_message_once():
    _many(10, "two")
    with SecondDaemon():
        _trickle(500, "two", 25)
        assert wait_for(lambda: not _delivered("two")[0], 60), f"never arrived: {sorted(_delivered('two')[0])[:10]}"
        missing, seen = _delivered("two")
        assert all(c == 1 for c in seen.values()), [i for i, c in seen.items() if c > 1][:5]


# Tasks made on Monday 9 March 2026 at 07:00 with a deadline of 3 working
# days: the end of Thursday 12 March. What each holder is warned of as the
# clock passes 08:30 of each day, by hand: 3 working days before (Monday),
# 1 before (Wednesday), the day itself (Thursday), overdue on Friday, then,
# past the weekend, on Monday 16 March.
DUE_STEPS = [
    ("2026-03-09 08:30+07", "task:{}:wd3:2026-03-12"),
    ("2026-03-11 08:30+07", "task:{}:wd1:2026-03-12"),
    ("2026-03-12 08:30+07", "task:{}:day:2026-03-12"),
    ("2026-03-13 08:30+07", "overdue:{}:2026-03-13"),
    ("2026-03-16 08:30+07", "overdue:{}:2026-03-16"),
]


def _clock_at(moment):
    psql(f"UPDATE test_clock SET offset_us = (extract(epoch FROM timestamptz '{moment}' - now()) * 1000000)::bigint")


def _waiting_on_a_lock(what):
    """A daemon's statement (notify_sweep or notify_pack) is waiting on a
    lock a test holds: its transaction is open in the middle of its work."""
    return psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qlvb-notify'"
                f" AND wait_event_type = 'Lock' AND query LIKE '%{what}%'") != "0"


def _kill_worker():
    """SIGKILL to the supervised daemon's worker; the sends in flight at the
    kill: claimed under a lease and no outcome recorded, counted at once,
    before any lease runs out (with a second daemon, its own too)."""
    w = notify_worker()
    os.kill(w, signal.SIGKILL)
    leased = int(psql("SELECT count(*) FROM push_sends WHERE state = 'pending' AND lease_until > now()"))
    assert wait_for(lambda: notify_worker() not in (None, w), 5), "the master starts another worker"
    return leased


def test_tasks_crossing_their_thresholds_are_warned_once_through_kills_and_two_daemons():
    """SOAK tasks of ten people cross five thresholds each. qlvb-notify is
    killed with SIGKILL while its sweep is writing warnings, while sends are
    in flight, and while it packs messages, and a second daemon runs beside
    it from the second threshold on: every warning is written once, in one
    message, and reaches its person's phone; repeats stay within the sends
    in flight at the kills."""
    _many(10, "due")
    started = time.monotonic()
    where = "t.title LIKE 'Hạn thử %'"
    mine = f"SELECT n.id FROM notifications n JOIN tasks t ON t.id = n.task_id WHERE {where}"
    keys = (f"SELECT string_agg(n.dedupe_key || '@' || n.user_id, ',') FROM notifications n"
            f" JOIN tasks t ON t.id = n.task_id WHERE {where} AND n.kind IN ('task_due', 'task_overdue')")
    open_sends = ("SELECT count(*) FROM push_sends s JOIN users u ON u.id = s.user_id"
                  " WHERE u.username LIKE 'bulk.due%' AND s.state = 'pending'")
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(set_clock_offset, 0)
        # done with, before the clock comes back to today: they would be
        # overdue then, and warned of it
        cleanup.callback(psql, f"UPDATE tasks t SET reported_at = now(), finished_at = now() WHERE {where}")
        cleanup.callback(fake, "/delay", {"ms": 0})
        _clock_at("2026-03-09 07:00+07")
        psql(f"""SELECT count(task_create((SELECT id FROM users WHERE username = 'stp.giamdoc'),
                                           jsonb_build_object('title', 'Hạn thử ' || g, 'lead_user_id', u.id,
                                                              'deadline_working_days', 3)))
                   FROM generate_series(1, {SOAK}) g JOIN users u ON u.username = 'bulk.due' || (g % 10)""")
        tasks = [tuple(map(int, l.split("|"))) for l in psql(f"SELECT t.id, t.user_id FROM tasks t WHERE {where}").split()]
        assert len(tasks) == SOAK
        assert psql(f"SELECT count(DISTINCT api_deadline_date(t.deadline)) || ' ' || min(api_deadline_date(t.deadline))"
                    f" FROM tasks t WHERE {where}") == "1 2026-03-12"
        in_flight_at_kills = []
        for step, (moment, key) in enumerate(DUE_STEPS):
            want = {f"{key.format(t)}@{u}" for t, u in tasks}
            written = lambda: len(want & set((psql(keys) or "").split(","))) == len(want)
            if step == 0:                # killed while the sweep writes the warnings
                with TableLock("notifications", "SHARE"):
                    _clock_at(moment)
                    assert wait_for(lambda: _waiting_on_a_lock("notify_sweep") or _waiting_on_a_lock("notify_pack"), 15)
                    in_flight_at_kills.append(_kill_worker())
            elif step in (1, 4):         # killed while sends are in flight at the provider
                fake("/delay", {"ms": 1000})
                _clock_at(moment)
                assert wait_for(lambda: fake("/log")["inflight"] > 0, 15), "sending"
                in_flight_at_kills.append(_kill_worker())
                fake("/delay", {"ms": 150})
            elif step == 2:              # killed while it packs the warnings into messages
                with TableLock("push_messages", "SHARE"):
                    _clock_at(moment)
                    assert wait_for(lambda: _waiting_on_a_lock("notify_pack"), 15)
                    in_flight_at_kills.append(_kill_worker())
            else:
                _clock_at(moment)
            if step == 1:
                cleanup.enter_context(SecondDaemon())
            assert wait_for(written, 60, step=0.25), f"step {step}: {len(want - set((psql(keys) or '').split(',')))} missing"
            assert wait_for(lambda: not _delivered("due", mine)[0], 60 + SOAK // 50, step=0.5), \
                f"step {step}: never arrived: {sorted(_delivered('due', mine)[0])[:10]}"
            assert wait_for(lambda: psql(open_sends) == "0", 30), "every send's outcome is recorded"
    everything = (psql(keys) or "").split(",")
    assert len(everything) == SOAK * len(DUE_STEPS), "no warning more than the thresholds crossed"
    assert set(everything) == {f"{k.format(t)}@{u}" for t, u in tasks for _, k in DUE_STEPS}
    assert psql(f"SELECT count(*) FROM push_message_members pm JOIN notifications n ON n.id = pm.notification_id"
                f" JOIN tasks t ON t.id = n.task_id WHERE {where}") == str(len(everything)), "each in exactly one message"
    missing, seen = _delivered("due", mine)
    repeats = sum(c - 1 for c in seen.values())
    print(f"soak: {SOAK} tasks, {len(everything)} warnings in {len(seen)} messages, {len(in_flight_at_kills)} kills"
          f" (sends in flight at them: {in_flight_at_kills}), {repeats} repeats, {time.monotonic() - started:.1f} s")
    # only a send in flight at a kill may come twice
    assert repeats <= sum(in_flight_at_kills), (repeats, in_flight_at_kills)
