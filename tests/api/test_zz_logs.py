"""After the whole suite: no log line holds a token, a password, or the
contents the suite sent (subjects, notes), PostgreSQL's log included."""
import concurrent.futures
import os

from lib import CONTENTS, SECRETS, VAR, TableLock, call, psql, tokens, wait_for

SLOW_SUBJECT = "Công văn chậm về việc kiểm tra nhật ký máy chủ cơ sở dữ liệu"


def _slow_registration():
    """A registration held more than a second on a table lock, so that
    PostgreSQL logs it as a slow statement (log_min_duration_statement)."""
    t = tokens("stp.vanthu")["access_token"]
    with TableLock("documents", "EXCLUSIVE") as lock:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            fut = pool.submit(call, "POST", "/api/v1/documents/incoming", token=t, body={
                "type_code": "CV", "subject": SLOW_SUBJECT, "number_notation": "77/UBND-VX",
                "doc_date": "2026-11-20", "issuer_name": "Ủy ban nhân dân huyện Định Quán"})
            held = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qlvb-api'"
                    " AND wait_event_type = 'Lock' AND now() - query_start > interval '1.2 seconds'")
            assert wait_for(lambda: psql(held) == "1", 10), "the registration did not wait on the lock"
            lock.release()
            assert fut.result(timeout=20).status == 201


def test_logs_hold_no_token_password_or_content():
    _slow_registration()
    pglog = os.path.join(VAR, "log", "postgresql.log")
    assert wait_for(lambda: b"duration:" in open(pglog, "rb").read(), 10), "no slow statement was logged"
    assert len(SECRETS) > 10, "the suite should have handled tokens"
    assert len(CONTENTS) > 20, "the suite should have sent subjects and notes"
    secrets = set(SECRETS) | {"demo123"}
    logdir = os.path.join(VAR, "log")
    checked = 0
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name), "rb") as f:
            text = f.read()
        checked += len(text)
        for s in secrets:
            assert s.encode() not in text, f"{name} holds a secret ({s[:6]}...)"
        assert b"Bearer " not in text, f"{name} holds an Authorization header"
        for c in CONTENTS | {SLOW_SUBJECT}:
            assert c.encode() not in text, f"{name} holds a content the suite sent: {c[:40]}"
    assert checked > 0
