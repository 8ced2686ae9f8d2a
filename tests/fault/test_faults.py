"""Fault tests: Redis stopped or hung, PostgreSQL stopped, a worker killed
under load, and the drain on SIGTERM. Each puts the stack back as it found it."""
import concurrent.futures
import os
import signal
import threading
import time

from lib import (VAR, TableLock, call, pid_of, problem, psql, request, stack, tokens, wait_for, worker_pids)


def _health():
    try:
        return request("GET", "/api/v1/health")
    except OSError:
        return None


def test_redis_stopped_degrades_but_everything_answers_from_postgresql():
    t = tokens("stttt.truongphong")
    other = tokens("stttt.truongphong")
    stack("redis-stop")
    try:
        r = call("GET", "/api/v1/health")
        assert r.status == 200, r
        assert r.json["status"] == "degraded" and r.json["checks"]["redis"] == "down"
        assert call("GET", "/api/v1/me", token=t["access_token"]).status == 200
        t2 = tokens("stttt.truongphong")                      # sign-in works
        assert call("GET", "/api/v1/me", token=t2["access_token"]).status == 200
        # the inbox and the workflow answer from PostgreSQL
        r = call("GET", "/api/v1/inbox?box=process", token=t["access_token"])
        assert r.status == 200, r
        etag = r.headers["etag"]
        assert call("GET", "/api/v1/inbox?box=process", token=t["access_token"],
                    headers={"If-None-Match": etag}).status == 304
        d = call("POST", "/api/v1/documents/outgoing", token=t["access_token"],
                 body={"type_code": "CV", "subject": "Soạn khi Redis vắng", "recipients": [{"name": "Bộ X"}]})
        assert d.status == 201, d
        # a logout while Redis is away is enforced from PostgreSQL ...
        assert call("POST", "/api/v1/auth/logout", token=other["access_token"]).status == 204
        problem(call("GET", "/api/v1/me", token=other["access_token"]), 401)
    finally:
        stack("redis-start")
    # ... and still after Redis is back, empty
    r = wait_for(lambda: (lambda h: h if h and h.json.get("status") == "ok" else None)(_health()), 10)
    assert r and r.json["status"] == "ok", r
    for _ in range(20):     # whichever worker thread answers
        problem(call("GET", "/api/v1/me", token=other["access_token"]), 401)
        assert call("GET", "/api/v1/me", token=t["access_token"]).status == 200


def test_redis_hung_answers_quickly_from_postgresql():
    t = tokens("stp.giamdoc")
    pid = pid_of("redis")
    os.kill(pid, signal.SIGSTOP)
    try:
        worst = 0.0
        for _ in range(20):
            r = call("GET", "/api/v1/me", token=t["access_token"])
            assert r.status == 200, r
            worst = max(worst, r.elapsed)
        h = call("GET", "/api/v1/health")
        assert h.status == 200 and h.json["checks"]["redis"] == "down", h
        assert worst < 0.5, f"a hung Redis slowed requests to {worst:.3f}s"
        other = tokens("stp.giamdoc")
        assert call("POST", "/api/v1/auth/logout", token=other["access_token"]).status == 204
    finally:
        os.kill(pid, signal.SIGCONT)
    r = wait_for(lambda: (lambda h: h if h and h.json.get("status") == "ok" else None)(_health()), 10)
    assert r, "redis did not come back in the health check"
    for _ in range(20):
        problem(call("GET", "/api/v1/me", token=other["access_token"]), 401)


def test_postgresql_stopped_is_503_with_retry_after_and_the_same_workers_recover():
    t = tokens("stp.chuyenvien")
    workers = worker_pids()
    master = pid_of("api")
    stack("pg-stop")
    try:
        r = call("GET", "/api/v1/health")
        problem(r, 503, "database-unavailable")
        assert r.headers["retry-after"].isdigit()
        assert r.json["checks"]["postgresql"] == "down"
        r = call("GET", "/api/v1/me", token=t["access_token"])
        problem(r, 503)
        assert "retry-after" in r.headers
        r = call("POST", "/api/v1/auth/login", body={"username": "stp.vanthu", "password": "demo123",
                                                     "device_name": "d"})
        problem(r, 503)
        assert r.elapsed < 3.0
    finally:
        stack("pg-start")
    r = wait_for(lambda: (lambda h: h if h and h.status == 200 else None)(_health()), 15)
    assert r, "health did not recover after PostgreSQL came back"
    for _ in range(20):
        assert call("GET", "/api/v1/me", token=t["access_token"]).status == 200
    assert worker_pids() == workers and pid_of("api") == master, "workers were restarted"


def test_killed_worker_is_replaced_within_a_second_and_loses_only_its_requests():
    before = worker_pids()
    assert len(before) >= 2, before
    results = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                r = request("GET", "/api/v1/health")
                results.append((r.status, r.json.get("detail") if r.json else None))
            except OSError as e:
                results.append((0, str(e)))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    os.kill(before[0], signal.SIGKILL)
    t0 = time.monotonic()
    replaced = wait_for(lambda: (lambda p: p if len(p) == len(before) and before[0] not in p else None)(worker_pids()), 2, 0.01)
    took = time.monotonic() - t0
    time.sleep(0.5)
    stop.set()
    for th in threads:
        th.join()
    assert replaced, f"no replacement worker: {worker_pids()}"
    assert took < 1.0, f"replaced after {took:.2f}s"
    failed = [s for s in results if s[0] != 200]
    assert len(results) > 200, len(results)
    # at most the requests the killed worker's threads had in hand
    assert len(failed) <= 8, f"{len(failed)} of {len(results)} failed: {failed}"


def _under_load(action, threads=8):
    """Runs action() while threads keep asking for health; returns the
    statuses seen (0 for a connection that failed)."""
    results = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                results.append(request("GET", "/api/v1/health").status)
            except OSError:
                results.append(0)

    workers = [threading.Thread(target=load) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        assert wait_for(lambda: len(results) > 50, 10), "no load"
        action()
        n = len(results)
        assert wait_for(lambda: len(results) > n + 200, 10), "the service stopped answering"
    finally:
        stop.set()
        for w in workers:
            w.join()
    return results


def test_sigterm_to_one_worker_drains_only_that_worker_and_nothing_fails():
    """The other workers go on serving, the master starts a successor, and
    no request fails: the shared socket is never shut down."""
    before = worker_pids()
    master = pid_of("api")

    def term_one():
        os.kill(before[0], signal.SIGTERM)
        assert wait_for(lambda: (lambda p: len(p) == len(before) and before[0] not in p)(worker_pids()), 5), \
            f"no successor: {worker_pids()}"

    results = _under_load(term_one)
    failed = [s for s in results if s != 200]
    assert not failed, f"{len(failed)} of {len(results)} failed: {sorted(set(failed))}"
    assert pid_of("api") == master and before[1] in worker_pids()
    for _ in range(50):                      # every worker answers, the successor included
        assert call("GET", "/api/v1/health").status == 200


def test_sighup_to_the_master_or_a_worker_changes_nothing():
    before = worker_pids()
    master = pid_of("api")

    def hup():
        os.kill(master, signal.SIGHUP)
        os.kill(before[1], signal.SIGHUP)

    results = _under_load(hup)
    failed = [s for s in results if s != 200]
    assert not failed, f"{len(failed)} of {len(results)} failed"
    assert pid_of("api") == master and os.path.exists(f"/proc/{master}")
    assert worker_pids() == before


def _peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_unauthenticated_uploads_are_refused_before_their_bodies_are_read_into_memory():
    """Sixteen uploads near the file limit without a valid token: 401, and
    no worker's peak memory grows by their size."""
    size = int(os.environ.get("QLVB_FILE_MAX", str(2 << 20))) - 4096
    body = b"%PDF-1.4\n" + b"x" * (size - 9)
    peaks = {p: _peak_rss_kb(p) for p in worker_pids()}
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        rs = list(pool.map(lambda _: request("POST", "/api/v1/documents/1/files?kind=body&name=a.pdf",
                                             raw=body, content_type="application/pdf",
                                             headers={"Authorization": "Bearer not-a-token"}), range(16)))
    assert [r.status for r in rs] == [401] * 16, rs[:2]
    grown = {p: _peak_rss_kb(p) - peaks[p] for p in peaks if os.path.exists(f"/proc/{p}")}
    assert all(g < size // 1024 for g in grown.values()), f"peak memory grew (KiB): {grown}, a body is {size // 1024} KiB"


def test_sigterm_finishes_requests_in_flight_then_exits():
    """Requests held in PostgreSQL (a table lock taken by another session)
    are in flight when the master gets SIGTERM; they finish with 200 once
    the lock goes, and only then does the master exit."""
    t = tokens("stttt.vanthu")
    master = pid_of("api")
    lock = TableLock("users", "ACCESS EXCLUSIVE")
    try:
        waiting = ("SELECT count(*) FROM pg_stat_activity"
                   " WHERE application_name = 'qlvb-api' AND wait_event_type = 'Lock'")
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            futs = [pool.submit(request, "GET", "/api/v1/me", token=t["access_token"]) for _ in range(4)]
            assert wait_for(lambda: psql(waiting) == "4", 10), "the requests did not reach the lock"
            mark = os.path.getsize(API_LOG)
            os.kill(master, signal.SIGTERM)
            # the workers stop taking new requests while the four are held
            assert wait_for(lambda: _log_has_after(mark, "worker draining"), 10), "no worker began to drain"
            assert not any(f.done() for f in futs), "a held request ended before the lock went"
            lock.release()
            rs = [f.result(timeout=20) for f in futs]
        assert [r.status for r in rs] == [200] * 4, rs
        assert wait_for(lambda: not os.path.exists(f"/proc/{master}"), 10), "master did not exit"
        problem(call("GET", "/api/v1/health"), 503)   # nginx answers for the missing workers
    finally:
        lock.release()
        stack("api-start")
    assert wait_for(lambda: (lambda h: h if h and h.status == 200 else None)(_health()), 10)


API_LOG = os.path.join(VAR, "log", "api.log")


def _log_has_after(offset, text):
    with open(API_LOG, "rb") as f:
        f.seek(offset)
        return text.encode() in f.read()
