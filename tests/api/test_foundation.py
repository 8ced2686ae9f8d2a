"""API tests of the foundation: health, errors, sign-in, tokens, /me.
Every response is checked against mobile-spec/openapi.yaml."""
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import time
import uuid

from lib import (BODY_MAX, FILE_MAX, SECRETS, VAR, admin, b64url, call, clock_moved, craft, login, pid_of, problem,
                 psql, request, stack, stack_key, tokens, wait_for, worker_pids)


def test_health_answers_ok_with_both_services_up():
    r = call("GET", "/api/v1/health")
    assert r.status == 200, r
    assert r.json == {"status": "ok", "checks": {"postgresql": "up", "redis": "up"}}


def test_every_response_carries_a_request_id_that_differs():
    a, b = call("GET", "/api/v1/health"), call("GET", "/api/v1/health")
    assert a.headers["x-request-id"] != b.headers["x-request-id"]


def test_unknown_path_is_404_problem_inside_and_outside_the_api():
    for path in ("/api/v1/nothing-here", "/api/v2/health", "/favicon.ico", "/"):
        r = call("GET", path)
        problem(r, 404, "not-found")


def test_nginx_own_refusals_are_problems_of_the_registry_not_html():
    cases = [
        (request("GET", "/api/v1/documents/1%00"), 400, "bad-request"),
        (request("GET", "/api/v1/health", headers={"X-Big": "x" * 20000}), 400, "bad-request"),
        (request("GET", "/api/v1/" + "a" * 20000), 414, "uri-too-long"),
        (request("TRACE", "/api/v1/health"), 405, "method-not-allowed"),
        (request("POST", "/api/v1/auth/login", raw=b"x", headers={"Transfer-Encoding": "gzip"}), 501, "not-implemented"),
        (request("GET", "/_store/"), 404, "not-found"),
    ]
    for r, status, slug in cases:
        problem(r, status, slug)
        assert r.headers.get("x-request-id") and r.json["request_id"] == r.headers["x-request-id"], r.headers
        assert r.json["title"] and r.json["title"] != "Bad Request", r.json      # the registry's Vietnamese title
        assert r.headers.get("content-language") == "vi", r.headers
    # in English when the request prefers it, as the workers answer (a
    # refusal made before the headers are read, 414 or 400, cannot know)
    en = {"Accept-Language": "en-US,en;q=0.9"}
    for r, status, title in [(request("GET", "/nothing", headers=en), 404, "No such endpoint"),
                             (request("POST", "/api/v1/auth/login", raw=b"x" * (BODY_MAX + 1), headers=en), 413,
                              "Content too large"),
                             (request("TRACE", "/api/v1/health", headers=en), 405, "Method not allowed")]:
        assert r.status == status and r.json["title"] == title, r
        assert r.headers.get("content-language") == "en" and r.json["detail"].isascii(), r.json
    vi = request("GET", "/nothing", headers={"Accept-Language": "vi-VN,en;q=0.5"})
    assert vi.headers.get("content-language") == "vi" and vi.json["detail"] == "không có địa chỉ này"
    # nginx weighs the languages as the workers do: both answer alike
    for al, lang in [("fr, en;q=0.9", "en"), ("vi;q=0.5, en;q=0.8", "en"), ("en;q=0", "vi"), ("en;Q=0.1, vi", "vi"),
                     ("en ; q=0.9", "en"), ("da, en-GB;q=0.8, vi;q=0.8", "en"), ("eng", "vi"), ("", "vi"),
                     ("en;q=abc", "vi"), ("en;q=-1, vi;q=0", "vi"), ("en;q = 0.1, vi;q=0.8", "en"), ("*", "vi")]:
        front = request("GET", "/nothing", headers={"Accept-Language": al})
        worker = request("GET", "/api/v1/nothing", headers={"Accept-Language": al})
        assert front.status == worker.status == 404, (front, worker)
        assert front.headers.get("content-language") == worker.headers.get("content-language") == lang, \
            (al, front.headers, worker.headers)


def test_every_kind_of_refusal_says_its_detail_in_vietnamese_and_in_english():
    t = tokens("stp.chuyenvien")["access_token"]
    a = tokens("admin")["access_token"]
    cases = [  # (method, path, token, body or raw, status, slug): the worker, its parsers, and SQL
        ("GET", "/api/v1/me", None, None, 401, "missing-token"),
        ("GET", "/api/v1/me", "x.y.z", None, 401, "invalid-token"),
        ("GET", "/api/v1/inbox?cursor=abc", t, None, 400, "invalid-parameter"),
        ("GET", "/api/v1/inbox/changes?since=zzz", t, None, 410, "sync-token-expired"),
        ("POST", "/api/v1/documents/outgoing", t, b"{", 400, "malformed-json"),
        ("POST", "/api/v1/books", t, {"name": "Sổ thử", "type_codes": ["BC"]}, 403, "forbidden"),
        ("PATCH", "/api/v1/books/999999999", a, {"name": "Sổ thử"}, 404, "book-not-found"),
        ("POST", "/api/v1/auth/refresh", None, {"refresh_token": "khong-co"}, 401, "invalid-refresh-token"),
        ("GET", "/api/v1/files/999999999", t, None, 404, "file-not-found"),
    ]
    for method, path, token, body, status, slug in cases:
        seen = {}
        for lang in ("vi", "en"):
            kw = {"raw": body} if isinstance(body, bytes) else {"body": body}
            r = call(method, path, token=token, headers={"Accept-Language": lang}, **kw)
            problem(r, status, slug)
            assert r.headers.get("content-language") == lang, (path, lang, r.headers)
            seen[lang] = r.json["detail"]
        assert not seen["vi"].isascii() and seen["en"].isascii() and seen["vi"] != seen["en"], (path, seen)
    # a body that is no JSON says why in Vietnamese, without the parser's English words
    for raw in (b"{", b"", b'{"a": 1, "a": 2}', b"[" * 40 + b"]" * 40, b'{"a": "\xff"}', b"{} x"):
        r = call("POST", "/api/v1/documents/outgoing", token=t, raw=raw)
        problem(r, 400, "malformed-json")
        assert not any(w in r.json["detail"] for w in ("expected", "near", "nesting", "malformed", "invalid")), r.json


def test_a_json_body_in_another_charset_is_refused_not_misread():
    t = tokens("stp.chuyenvien")["access_token"]
    body = {"title": "Thử bảng mã", "colour": "đỏ"}        # read as UTF-8, it names its unknown field
    for ct in ("application/json; charset=latin1", "application/json;charset=\"iso-8859-1\"", "text/plain"):
        problem(call("POST", "/api/v1/tasks", token=t, body=body, content_type=ct), 415, "unsupported-media-type")
    for ct in ("application/json; charset=utf-8", "application/json; charset=\"UTF-8\"", "application/json"):
        r = call("POST", "/api/v1/tasks", token=t, body=body, content_type=ct)
        problem(r, 400, "unknown-field")
        assert r.json["errors"][0]["pointer"] == "/colour", r.json


def test_wrong_method_is_405_with_allow():
    r = call("DELETE", "/api/v1/health")
    problem(r, 405, "method-not-allowed")
    assert r.headers["allow"] == "GET"
    r = call("GET", "/api/v1/auth/login")
    problem(r, 405)
    assert r.headers["allow"] == "POST"


def test_stp_official_signs_in_and_me_shows_the_agency_intact():
    t = tokens("stp.chuyenvien")
    assert t["token_type"] == "Bearer" and 0 < t["expires_in"] <= 900
    header = json.loads(_b64d(t["access_token"].split(".")[0]))
    claims = json.loads(_b64d(t["access_token"].split(".")[1]))
    assert header["alg"] == "HS256" and header["kid"]
    assert claims["exp"] - claims["iat"] <= 900
    for c in ("iss", "aud", "sub", "exp", "iat", "sid"):
        assert c in claims, c
    me = call("GET", "/api/v1/me", token=t["access_token"])
    assert me.status == 200, me
    assert me.json["username"] == "stp.chuyenvien"
    assert me.json["full_name"] == "Đỗ Minh Khoa"
    m = me.json["memberships"][0]
    assert m["agency"]["name"] == "Sở Tư pháp"
    assert m["agency"]["code"] == "000.00.21.H19"
    assert m["agency"]["abbr"] == "STP"
    # leadership is a position; roles are duties on top of it (none here)
    assert m["position"] == "official" and m["roles"] == []
    assert "Sở Tư pháp".encode() in me.body   # UTF-8 on the wire, not \u escapes


def test_every_demo_account_signs_in_with_its_position():
    expected = {
        "admin": "admin", "chutich": "leader", "vp.chuyenvien": "official",
        "stp.giamdoc": "leader", "stp.phogiamdoc": "deputy_leader", "stp.truongphong": "head", "stp.chuyenvien": "official",
        "stp.vanthu": "clerk", "stttt.giamdoc": "leader", "stttt.truongphong": "head",
        "stttt.chuyenvien": "official", "stttt.vanthu": "clerk",
    }
    for user, position in expected.items():
        t = tokens(user)
        me = call("GET", "/api/v1/me", token=t["access_token"])
        assert me.json["memberships"][0]["position"] == position, (user, me)
    me = call("GET", "/api/v1/me", token=tokens("stttt.vanthu")["access_token"])
    assert me.json["memberships"][0]["agency"]["name"] == "Sở Khoa học và Công nghệ"
    me = call("GET", "/api/v1/me", token=tokens("chutich")["access_token"])
    assert me.json["memberships"][0]["title"] == "Chủ tịch Ủy ban nhân dân tỉnh"


def test_seeded_province_has_its_69_agencies_with_codes():
    assert psql("SELECT count(DISTINCT code) FROM agencies WHERE code LIKE '000.00.__.H19' AND code <> '000.00.00.H19'") == "69"
    assert psql("SELECT name FROM agencies WHERE code = '000.00.21.H19'") == "Sở Tư pháp"
    assert int(psql("SELECT min(n) FROM (SELECT count(*) n FROM units u JOIN agencies a ON a.id = u.agency_id"
                    " WHERE a.kind <> 'province' GROUP BY agency_id) x")) >= 3


def test_the_demo_province_is_as_of_today_closed_agencies_keep_their_rows_and_receive_nothing_new():
    # the district level is gone; Thông tin và Truyền thông merged into Khoa học và Công nghệ
    assert psql("SELECT count(*) FROM agencies WHERE kind = 'district' AND valid_to = '2025-06-30'") == "11"
    assert psql("SELECT count(*) FROM agencies WHERE kind = 'district' AND valid_to IS NULL") == "0"
    assert psql("SELECT s.code FROM agencies a JOIN agencies s ON s.id = a.successor_id"
                " WHERE a.code = '000.00.01.H19'") == "000.00.23.H19"
    assert psql("SELECT string_agg(name, ' | ' ORDER BY valid_from) FROM agencies WHERE code = '000.00.06.H19'") == \
        "Sở Nông nghiệp và Phát triển nông thôn | Sở Nông nghiệp và Môi trường"
    me = call("GET", "/api/v1/me", token=tokens("stttt.vanthu")["access_token"]).json
    assert me["memberships"][0]["agency"]["code"] == "000.00.23.H19" and me["username"] == "stttt.vanthu"
    # a draft to a closed agency is refused, naming its successor
    t = tokens("stp.chuyenvien")["access_token"]
    r = call("POST", "/api/v1/documents/outgoing", token=t, body={
        "type_code": "CV", "subject": "Gửi Sở cũ", "recipients": [{"agency_code": "000.00.01.H19"}]})
    problem(r, 422, "agency-closed")
    assert "000.00.23.H19" in r.json["detail"] and "28/02/2025" in r.json["detail"], r.json
    # an agency that closes after the draft: the issued document reaches its successor
    d = call("POST", "/api/v1/documents/outgoing", token=t, body={
        "type_code": "CV", "subject": "Gửi Liên đoàn Lao động", "recipients": [{"agency_code": "000.00.31.H19"}]}).json["id"]
    steps = (("stp.chuyenvien", "submit"), ("stp.truongphong", "approve"), ("stp.giamdoc", "approve"), ("stp.giamdoc", "sign"))
    for user, step in steps:
        assert call("POST", f"/api/v1/documents/{d}/{step}", token=tokens(user)["access_token"], body={}).status == 200
    today = psql("SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date")
    r = admin("agency-close", "000.00.31.H19", today, "000.00.24.H19")
    assert r.returncode == 0 and "closed" in r.stdout, r
    problem(call("POST", "/api/v1/documents/outgoing", token=t, body={
        "type_code": "CV", "subject": "Gửi lại", "recipients": [{"agency_code": "000.00.31.H19"}]}), 422, "agency-closed")
    assert call("POST", f"/api/v1/documents/{d}/issue", token=tokens("stp.vanthu")["access_token"], body={}).status == 200
    assert psql(f"SELECT a.code FROM document_recipients r JOIN documents c ON c.id = r.delivered_id"
                f" JOIN agencies a ON a.id = c.agency_id WHERE r.document_id = {d}") == "000.00.24.H19"
    assert admin("agency-close", "000.00.31.H19", today).returncode != 0           # closed already
    assert admin("agency-close", "000.00.24.H19", "2999-01-01").returncode != 0    # not before it happens


def test_wrong_password_and_unknown_user_get_the_same_answer_in_about_the_same_time():
    SECRETS.add("wrong-password-1")
    wrong, unknown = [], []
    for i in range(4):
        a = login("stttt.chuyenvien", "wrong-password-1", xff="10.20.0.1")
        b = login(f"no.such.user{i}", "wrong-password-1", xff="10.20.0.1")
        problem(a, 401, "invalid-credentials")
        problem(b, 401, "invalid-credentials")
        strip = lambda j: {k: v for k, v in j.items() if k != "request_id"}
        assert strip(a.json) == strip(b.json)
        wrong.append(a.elapsed)
        unknown.append(b.elapsed)
    # the fastest of each: the cost of the work done, least disturbed by
    # whatever else the machine runs (an unknown name that skipped the
    # hash would answer in a few milliseconds)
    mw, mu = min(wrong), min(unknown)
    assert abs(mw - mu) < max(0.025, 0.5 * mw), (wrong, unknown)
    # the account is not locked by 4 failures
    assert login("stttt.chuyenvien", xff="10.20.0.2").status == 200


def test_bad_login_bodies_are_400_and_change_nothing():
    before = psql("SELECT count(*) FROM sessions")
    cases = [
        (b'{"username":"stp.vanthu","password":', "malformed-json"),
        (b'{"username":"stp.vanthu","username":"x","password":"demo123","device_name":"d"}', "malformed-json"),
        (b'[' * 100 + b']' * 100, "malformed-json"),
        (b'"just a string"', "malformed-json"),
        (b'[]', "malformed-json"),
        (b'', "malformed-json"),
        (json.dumps({"username": "stp.vanthu", "password": "demo123", "device_name": "d", "role": "admin"}).encode(), "unknown-field"),
        (json.dumps({"username": "stp.vanthu", "device_name": "d"}).encode(), "invalid-field"),
        (json.dumps({"username": 5, "password": "demo123", "device_name": "d"}).encode(), "invalid-field"),
        (json.dumps({"username": "stp.vanthu", "password": "demo123"}).encode(), "invalid-field"),
        (json.dumps({"username": "x" * 65, "password": "demo123", "device_name": "d"}).encode(), "invalid-field"),
        (json.dumps({"username": "stp.vanthu", "password": "demo123", "device_name": ""}).encode(), "invalid-field"),
    ]
    for raw, slug in cases:
        r = call("POST", "/api/v1/auth/login", raw=raw)
        problem(r, 400, slug)
        assert r.json.get("detail"), r
    r = call("POST", "/api/v1/auth/login", raw=b"username=stp.vanthu", content_type="application/x-www-form-urlencoded")
    problem(r, 415, "unsupported-media-type")
    assert psql("SELECT count(*) FROM sessions") == before


NGINX_TOO_LARGE = "nội dung lớn hơn máy chủ chấp nhận"   # nginx's detail; the worker's differ


def _json_of_size(n):
    """{"refresh_token": "xx...x"} of exactly n bytes."""
    head, tail = b'{"refresh_token":"', b'"}'
    return head + b"x" * (n - len(head) - len(tail)) + tail


def _draft(token, subject="Văn bản thử giới hạn", **extra):
    r = call("POST", "/api/v1/documents/outgoing", token=token,
             body={"type_code": "CV", "subject": subject, "recipients": [{"name": "Bộ Tư pháp"}], **extra})
    assert r.status == 201, r
    return r.json["id"]


def _upload(token, doc, data, name="tep.pdf"):
    return call("POST", f"/api/v1/documents/{doc}/files?kind=attachment&name={name}", token=token, raw=data,
                content_type="application/pdf")


def test_nginx_limits_bodies_per_location_with_the_workers_limits():
    between = BODY_MAX + BODY_MAX // 2          # past the JSON limit, under the file limit
    assert FILE_MAX > between + 16, "the test stack runs with a file limit well above the JSON one"
    # sign-in and the other JSON routes: nginx refuses, no worker reads it
    big = json.dumps({"username": "stp.vanthu", "password": "x" * between, "device_name": "d"}).encode()
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh"):
        r = call("POST", path, raw=big)
        problem(r, 413, "body-too-large")
        assert r.json["detail"] == NGINX_TOO_LARGE and "instance" not in r.json, r
    # the same number as the workers': BODY_MAX bytes reach the handler, one more does not
    problem(call("POST", "/api/v1/auth/refresh", raw=_json_of_size(BODY_MAX)), 400, "invalid-field")
    r = call("POST", "/api/v1/auth/refresh", raw=_json_of_size(BODY_MAX + 1))
    problem(r, 413, "body-too-large")
    assert r.json["detail"] == NGINX_TOO_LARGE, r
    # an upload between the two limits is stored; past the file limit nginx refuses it
    t = tokens("stp.chuyenvien")["access_token"]
    doc = _draft(t)
    pdf = b"%PDF-1.4\n" + b"0" * between
    r = _upload(t, doc, pdf)
    assert r.status == 201 and r.json["size"] == len(pdf), r
    r = _upload(t, doc, b"%PDF-1.4\n" + b"0" * FILE_MAX)
    problem(r, 413, "body-too-large")
    assert r.json["detail"] == NGINX_TOO_LARGE, r
    # past every limit: refused on the announced length, before any body
    s = socket.create_connection(("127.0.0.1", int(__import__("lib").PORT)), timeout=10)
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 40000000\r\nConnection: close\r\n\r\n{")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < length:
        body += s.recv(65536)
    s.close()
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head
    assert json.loads(body)["type"] == "urn:qlvb:problem:body-too-large"
    # the connection that sent the big body did not break the next request
    assert call("GET", "/api/v1/health").status == 200


def _api_restart(env_extra=None):
    stack("api-stop")
    stack("api-start", env_extra)
    healthy = lambda: (lambda r: r.status == 200)(request("GET", "/api/v1/health"))
    assert wait_for(healthy, 15), "the workers did not come back"


def _api_log_has(text):
    with open(os.path.join(VAR, "log", "api.log"), "rb") as f:
        return text.encode() in f.read()


def test_a_request_past_the_arena_limit_is_answered_and_its_worker_goes_on():
    t = tokens("stp.chuyenvien")["access_token"]
    doc = _draft(t)
    # one worker of one thread with a small arena: what answers afterwards is
    # the very thread that passed the limit
    arena = 128 << 10
    _api_restart({"QLVB_ARENA_MAX": str(arena), "QLVB_WORKERS": "1", "QLVB_THREADS": "1"})
    try:
        assert wait_for(lambda: len(worker_pids()) == 1, 5), worker_pids()
        workers, master = worker_pids(), pid_of("api")
        # a body the arena cannot hold, under nginx's file limit: 413 from the worker
        r = _upload(t, doc, b"%PDF-1.4\n" + b"0" * (4 * arena))
        problem(r, 413, "body-too-large")
        assert "không vừa" in r.json["detail"] and r.json["instance"] == f"/api/v1/documents/{doc}/files", r
        # a body that fits, but the JSON text the handler builds from it does
        # not: 500, nothing written, and the Idempotency-Key let go (the retry
        # runs again rather than waiting on a first attempt that is gone)
        subject = f"Vượt giới hạn bộ nhớ {uuid.uuid4().hex[:8]}"
        raw = json.dumps({"type_code": "CV", "subject": subject, "recipients": [{"name": "Ủ" * 200}] * 150},
                         ensure_ascii=False).encode()
        assert arena // 2 < len(raw) < min(arena, BODY_MAX), len(raw)
        key = uuid.uuid4().hex
        for _ in range(2):
            r = request("POST", "/api/v1/documents/outgoing", token=t, raw=raw, headers={"Idempotency-Key": key})
            problem(r, 500, "internal-error")       # 500 is in no operation's contract: checked as a problem
            assert r.json["request_id"] == r.headers["x-request-id"], r
        assert psql(f"SELECT count(*) FROM documents WHERE subject = '{subject}'") == "0"
        assert wait_for(lambda: _api_log_has(f"rid={r.headers['x-request-id']} msg=\"request memory limit passed\""), 5)
        # the same thread goes on: reads, a sign-in, a write
        for _ in range(5):
            assert call("GET", "/api/v1/health").status == 200
        assert call("GET", "/api/v1/me", token=tokens("stp.vanthu")["access_token"]).status == 200
        _draft(t, subject=subject + " nhỏ")
        assert worker_pids() == workers and pid_of("api") == master, "the worker was replaced"
    finally:
        _api_restart()


def test_missing_or_garbage_token_is_401_with_a_bearer_challenge():
    r = call("GET", "/api/v1/me")
    problem(r, 401, "missing-token")
    assert r.headers["www-authenticate"].startswith("Bearer")
    for auth in ("Bearer", "Bearer ", "Bearer abc", "Basic dXNlcjpwYXNz", "Bearer a.b.c"):
        r = call("GET", "/api/v1/me", headers={"Authorization": auth})
        problem(r, 401)
        assert "www-authenticate" in r.headers


def test_forged_tokens_are_refused_end_to_end():
    kid, key = stack_key()
    now = int(time.time())
    good = {"iss": "qlvb", "aud": "qlvb-mobile", "sub": "2", "sid": 1, "token_use": "access",
            "iat": now, "nbf": now, "exp": now + 600}
    # control: the crafted shape is accepted when everything is right
    sid = psql("SELECT max(id) FROM sessions WHERE revoked_at IS NULL AND user_id = "
               "(SELECT id FROM users WHERE username = 'stp.chuyenvien')")
    uid = psql("SELECT id FROM users WHERE username = 'stp.chuyenvien'")
    ok = dict(good, sub=uid, sid=int(sid))
    assert call("GET", "/api/v1/me", token=craft({"alg": "HS256", "kid": kid, "typ": "JWT"}, ok, key)).status == 200
    bad = [
        craft({"alg": "none", "kid": kid}, ok, None),
        craft({"alg": "NoNe", "kid": kid}, ok, None),
        craft({"alg": "HS512", "kid": kid}, ok, key, "sha512"),
        craft({"alg": "HS384", "kid": kid}, ok, key, "sha384"),
        craft({"alg": "HS256", "kid": kid}, dict(ok, exp=60, iat=0, nbf=0), key),
        craft({"alg": "HS256", "kid": kid}, {k: v for k, v in ok.items() if k != "exp"}, key),
        craft({"alg": "HS256", "kid": kid}, dict(ok, exp=now + 7200), key),
        craft({"alg": "HS256", "kid": kid}, dict(ok, nbf=now + 600, exp=now + 800), key),
        craft({"alg": "HS256", "kid": kid}, dict(ok, iss="evil"), key),
        craft({"alg": "HS256", "kid": kid}, dict(ok, aud="other-app"), key),
        craft({"alg": "HS256", "kid": "nope"}, ok, key),
        craft({"alg": "HS256"}, ok, key),
        craft({"alg": "HS256", "kid": kid}, ok, b"not-the-key-but-long-enough-0123456789"),
        craft({"alg": "HS256", "kid": kid}, ok, key).rsplit(".", 1)[0] + ".",
    ]
    tampered = craft({"alg": "HS256", "kid": kid}, ok, key).split(".")
    tampered[1] = b64url(json.dumps(dict(ok, sub="1")).encode())
    bad.append(".".join(tampered))
    for t in bad:
        r = call("GET", "/api/v1/me", token=t)
        problem(r, 401, "invalid-token")


def test_refresh_token_is_no_access_token():
    t = tokens("stp.vanthu")
    problem(call("GET", "/api/v1/me", token=t["refresh_token"]), 401, "invalid-token")


def test_refresh_rotates_and_reuse_ends_the_whole_login():
    t1 = tokens("stp.truongphong")
    r = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
    assert r.status == 200, r
    t2 = r.json
    assert t2["refresh_token"] != t1["refresh_token"] and t2["access_token"] != t1["access_token"]
    assert call("GET", "/api/v1/me", token=t2["access_token"]).status == 200
    r = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t2["refresh_token"]})
    assert r.status == 200, r
    t3 = r.json
    # t1's refresh token comes back: everything of this login stops
    r = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
    problem(r, 401, "refresh-token-reused")
    for at in (t1["access_token"], t2["access_token"], t3["access_token"]):
        problem(call("GET", "/api/v1/me", token=at), 401, "invalid-token")
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": t3["refresh_token"]}), 401)
    # another login of the same user is untouched
    assert call("GET", "/api/v1/me", token=tokens("stp.truongphong")["access_token"]).status == 200
    assert psql("SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse'") != "0"


def test_refresh_rejects_unknown_and_bad_bodies():
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": "not-a-token"}), 401, "invalid-refresh-token")
    problem(call("POST", "/api/v1/auth/refresh", body={}), 400, "invalid-field")
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": "x", "user_id": 1}), 400, "unknown-field")
    problem(call("POST", "/api/v1/auth/refresh", raw=b"{"), 400, "malformed-json")


def test_logout_stops_its_tokens_at_once_and_only_its_own():
    a = tokens("stttt.giamdoc")
    b = tokens("stttt.giamdoc")
    r = call("POST", "/api/v1/auth/logout", token=a["access_token"])
    assert r.status == 204, r
    problem(call("GET", "/api/v1/me", token=a["access_token"]), 401, "invalid-token")
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": a["refresh_token"]}), 401)
    assert call("GET", "/api/v1/me", token=b["access_token"]).status == 200
    problem(call("POST", "/api/v1/auth/logout", token=a["access_token"]), 401)
    problem(call("POST", "/api/v1/auth/logout", token=b["access_token"], body={"all": True}), 400)
    assert call("GET", "/api/v1/me", token=b["access_token"]).status == 200


def test_a_revoked_token_stays_refused_when_redis_loses_its_state():
    """A logout's revocation lives in Redis; Redis emptied (flushed, or
    restarted) must not let the token back in: PostgreSQL decides until the
    state is back."""
    t = tokens("stttt.truongphong")
    assert call("POST", "/api/v1/auth/logout", token=t["access_token"]).status == 204
    redis = ["redis-cli", "-s", f"{VAR}/run/redis.sock"]
    subprocess.run(redis + ["FLUSHALL"], check=True, capture_output=True)
    for _ in range(20):                       # every worker thread, whichever answers
        problem(call("GET", "/api/v1/me", token=t["access_token"]), 401, "invalid-token")
    assert wait_for(lambda: subprocess.run(redis + ["GET", "qlvb:security:ready"], capture_output=True,
                                           text=True).stdout.strip() == "1", 5), "the state was not put back"
    assert subprocess.run(redis + ["CONFIG", "GET", "maxmemory-policy"], capture_output=True,
                          text=True).stdout.split()[-1] == "noeviction"


def _new_user(name, password, agency="000.00.23.H19"):
    r = admin("create-user", name, "Người Thử Tài Khoản", agency, "official", "Chuyên viên", "", stdin=password + "\n")
    assert r.returncode == 0, r.stderr
    SECRETS.add(password)
    return call("GET", "/api/v1/me", token=tokens(name, password)["access_token"]).json["id"]


def test_an_agency_administrator_deactivates_and_reactivates_ending_every_sign_in():
    uid = _new_user("test.deact", "deact-pass-1")
    a, b = tokens("test.deact", "deact-pass-1"), tokens("test.deact", "deact-pass-1")
    boss = tokens("admin")["access_token"]                  # the admin of Sở Khoa học và Công nghệ
    problem(call("POST", f"/api/v1/users/{uid}/deactivate", token=tokens("stttt.truongphong")["access_token"]),
            403, "forbidden")                                # not an administrator
    problem(call("POST", f"/api/v1/users/{uid}/deactivate", token=tokens("stp.vanthu")["access_token"]),
            404, "user-not-found")                           # another agency's people are not shown
    me = call("GET", "/api/v1/me", token=boss).json["id"]
    problem(call("POST", f"/api/v1/users/{me}/deactivate", token=boss), 422, "invalid-value")   # not oneself
    problem(call("POST", "/api/v1/users/999999/deactivate", token=boss), 404, "user-not-found")
    assert call("GET", "/api/v1/me", token=a["access_token"]).status == 200
    assert call("POST", f"/api/v1/users/{uid}/deactivate", token=boss).status == 204
    for t in (a, b):
        problem(call("GET", "/api/v1/me", token=t["access_token"]), 401, "invalid-token")
        problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": t["refresh_token"]}), 401)
    problem(login("test.deact", "deact-pass-1"), 401, "invalid-credentials")
    assert call("POST", f"/api/v1/users/{uid}/reactivate", token=boss).status == 204
    assert login("test.deact", "deact-pass-1").status == 200
    problem(call("GET", "/api/v1/me", token=a["access_token"]), 401)   # ended sign-ins stay ended


def test_a_password_reset_by_the_administrator_ends_every_sign_in_and_unlock_clears_a_lock():
    uid = _new_user("test.reset", "reset-pass-1")
    t = tokens("test.reset", "reset-pass-1")
    boss = tokens("admin")["access_token"]
    problem(call("POST", f"/api/v1/users/{uid}/password", token=boss, body={"new_password": "short"}), 400)
    assert call("POST", f"/api/v1/users/{uid}/password", token=boss, body={"new_password": "reset-pass-2"}).status == 204
    SECRETS.add("reset-pass-2")
    problem(call("GET", "/api/v1/me", token=t["access_token"]), 401, "invalid-token")
    problem(login("test.reset", "reset-pass-1"), 401)
    for i in range(5):
        login("test.reset", "wrong", xff=f"10.32.0.{i + 1}")
    problem(login("test.reset", "reset-pass-2", xff="10.32.0.9"), 429, "too-many-attempts")
    assert call("POST", f"/api/v1/users/{uid}/unlock", token=boss).status == 204
    assert login("test.reset", "reset-pass-2", xff="10.32.0.10").status == 200


def test_my_own_password_change_needs_the_current_one_and_ends_my_other_sign_ins():
    _new_user("test.mine", "mine-pass-1")
    here, there = tokens("test.mine", "mine-pass-1"), tokens("test.mine", "mine-pass-1")
    r = call("POST", "/api/v1/me/password", token=here["access_token"],
             body={"current_password": "not-it", "new_password": "mine-pass-2"})
    problem(r, 403, "wrong-password")
    assert login("test.mine", "mine-pass-1").status == 200                # nothing changed
    assert call("POST", "/api/v1/me/password", token=here["access_token"],
                body={"current_password": "mine-pass-1", "new_password": "mine-pass-2"}).status == 204
    SECRETS.add("mine-pass-2")
    assert call("GET", "/api/v1/me", token=here["access_token"]).status == 200      # this sign-in goes on
    problem(call("GET", "/api/v1/me", token=there["access_token"]), 401, "invalid-token")
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": there["refresh_token"]}), 401)
    assert login("test.mine", "mine-pass-2").status == 200


def test_wrong_current_passwords_count_as_failed_sign_ins_and_lock():
    _new_user("test.guess", "guess-pass-1")
    t = tokens("test.guess", "guess-pass-1")["access_token"]
    for i in range(5):
        problem(call("POST", "/api/v1/me/password", token=t,
                     body={"current_password": f"guess{i}", "new_password": "guess-pass-2"}), 403, "wrong-password")
    r = call("POST", "/api/v1/me/password", token=t, body={"current_password": "guess-pass-1", "new_password": "guess-pass-2"})
    problem(r, 429, "too-many-attempts")
    problem(login("test.guess", "guess-pass-1", xff="10.33.0.1"), 429)
    psql("UPDATE login_throttle SET locked_until = now() WHERE username = 'test.guess'")
    problem(call("POST", "/api/v1/me/password", token=t,
                 body={"current_password": "guess-pass-1", "new_password": "        "}), 400, "invalid-field")


def test_qlvb_admin_deactivation_and_password_reset_end_every_sign_in():
    _new_user("test.cli", "cli-pass-1")
    t = tokens("test.cli", "cli-pass-1")
    r = admin("set-password", "test.cli", stdin="cli-pass-2\n")
    assert r.returncode == 0 and "ended" in r.stdout, r
    SECRETS.add("cli-pass-2")
    problem(call("GET", "/api/v1/me", token=t["access_token"]), 401, "invalid-token")
    t = tokens("test.cli", "cli-pass-2")
    assert admin("deactivate", "test.cli").returncode == 0
    problem(call("GET", "/api/v1/me", token=t["access_token"]), 401, "invalid-token")
    problem(login("test.cli", "cli-pass-2"), 401)
    assert admin("reactivate", "test.cli").returncode == 0
    assert login("test.cli", "cli-pass-2").status == 200
    assert admin("unlock", "no.such.user").returncode != 0


def test_five_failures_lock_the_account_with_a_growing_delay():
    r = admin("create-user", "test.lockout", "Người Thử Khóa", "000.00.21.H19", "official",
              "Chuyên viên", "", stdin="lockout-pass-1\n")
    assert r.returncode == 0, r.stderr
    SECRETS.add("lockout-pass-1")
    for _ in range(5):
        problem(login("test.lockout", "wrong", xff="10.30.0.1"), 401, "invalid-credentials")
    r = login("test.lockout", "lockout-pass-1", xff="10.30.0.2")   # right password, still locked
    problem(r, 429, "too-many-attempts")
    first = int(r.headers["retry-after"])
    assert 1 <= first <= 30, r.headers
    # an unknown name is locked the same way: no way to tell which names exist
    for _ in range(5):
        login("no.such.person", "wrong", xff="10.30.0.3")
    problem(login("no.such.person", "wrong", xff="10.30.0.4"), 429, "too-many-attempts")
    # after the lock, one more failure locks for longer
    psql("UPDATE login_throttle SET locked_until = now() WHERE username = 'test.lockout'")
    problem(login("test.lockout", "wrong", xff="10.30.0.5"), 401)
    r = login("test.lockout", "lockout-pass-1", xff="10.30.0.6")
    problem(r, 429)
    assert int(r.headers["retry-after"]) > first, (first, r.headers)
    # once the lock has passed, the right password works and clears the count
    psql("UPDATE login_throttle SET locked_until = now() WHERE username = 'test.lockout'")
    assert login("test.lockout", "lockout-pass-1", xff="10.30.0.7").status == 200
    assert psql("SELECT count(*) FROM login_throttle WHERE username = 'test.lockout'") == "0"


def test_a_failure_after_a_quiet_day_counts_as_the_first_and_locks_nothing():
    """Four failures, then a day without any: the next failure starts the
    count again at one, so the right password still signs in."""
    r = admin("create-user", "test.quietday", "Người Thử Ngày Yên", "000.00.21.H19", "official",
              "Chuyên viên", "", stdin="quietday-pass-1\n")
    assert r.returncode == 0, r.stderr
    SECRETS.add("quietday-pass-1")
    for i in range(4):
        problem(login("test.quietday", "wrong", xff=f"10.31.0.{i + 1}"), 401, "invalid-credentials")
    with clock_moved(25 * 3600):
        assert wait_for(lambda: psql("SELECT qlvb_now() > now() + interval '1 day'") == "t", 5)
        problem(login("test.quietday", "wrong", xff="10.31.0.9"), 401, "invalid-credentials")
        assert psql("SELECT failures, locked_until IS NULL FROM login_throttle WHERE username = 'test.quietday'") == "1|t"
        r = login("test.quietday", "quietday-pass-1", xff="10.31.0.10")
        assert r.status == 200, r


def test_create_user_refuses_a_name_that_exists_and_changes_go_through_their_own_commands():
    before = psql("SELECT u.full_name, u.password_hash, m.agency_id, m.position FROM users u"
                  " JOIN memberships m ON m.user_id = u.id AND m.is_primary WHERE u.username = 'stp.chuyenvien'")
    r = admin("create-user", "stp.chuyenvien", "Người Khác", "000.00.23.H19", "leader", "Giám đốc", "",
              stdin="another-pass-9\n")
    assert r.returncode != 0 and "already exists" in r.stderr and "nothing changed" in r.stderr, r
    after = psql("SELECT u.full_name, u.password_hash, m.agency_id, m.position FROM users u"
                 " JOIN memberships m ON m.user_id = u.id AND m.is_primary WHERE u.username = 'stp.chuyenvien'")
    assert after == before
    assert tokens("stp.chuyenvien")["access_token"]       # the old password still signs in

    r = admin("create-user", "test.movable", "Người Được Chuyển", "000.00.21.H19", "official", "Chuyên viên", "",
              "XDKTVB", stdin="movable-pass-1\n")
    assert r.returncode == 0 and "created" in r.stdout, r
    SECRETS.add("movable-pass-1")
    r = admin("set-membership", "test.movable", "000.00.23.H19", "head", "Trưởng phòng", "", "NO-SUCH-UNIT")
    assert r.returncode != 0 and "no unit" in r.stderr, r
    r = admin("set-membership", "test.movable", "000.00.23.H19", "head", "Trưởng phòng Công nghệ thông tin", "", "CNTT")
    assert r.returncode == 0, r
    r = admin("set-full-name", "test.movable", "Người Đã Được Chuyển")
    assert r.returncode == 0, r
    me = call("GET", "/api/v1/me", token=tokens("test.movable", "movable-pass-1")["access_token"]).json
    assert me["full_name"] == "Người Đã Được Chuyển"
    assert (me["memberships"][0]["agency"]["code"], me["memberships"][0]["position"],
            me["memberships"][0]["unit"]["abbr"]) == ("000.00.23.H19", "head", "CNTT")
    assert admin("set-full-name", "no.such.user", "X").returncode != 0


def test_one_address_failing_on_many_accounts_is_slowed():
    ip = "10.40.0.9"
    for i in range(10):
        problem(login(f"spray.target{i}", "Password1", xff=ip), 401)
    r = login("stp.giamdoc", xff=ip)            # even a right password, from that address
    problem(r, 429, "too-many-attempts")
    assert int(r.headers["retry-after"]) > 0
    assert login("stp.giamdoc", xff="10.40.0.10").status == 200   # others are not affected


def test_login_flood_is_shed_quickly_and_other_requests_keep_answering():
    me_token = tokens("stttt.chuyenvien")["access_token"]

    def one_login(i):
        return login("stp.vanthu", xff=f"10.50.{i // 200}.{i % 200 + 1}")

    def one_me(_):
        return call("GET", "/api/v1/me", token=me_token)

    with concurrent.futures.ThreadPoolExecutor(max_workers=48) as pool:
        logins = [pool.submit(one_login, i) for i in range(120)]
        time.sleep(0.1)
        mes = [pool.submit(one_me, i) for i in range(10)]
        logins = [f.result() for f in logins]
        mes = [f.result() for f in mes]
    statuses = [r.status for r in logins]
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses.count(200) > 0
    shed = [r for r in logins if r.status == 503]
    assert shed, "a flood of 120 sign-ins at once should be partly shed"
    for r in shed:
        problem(r, 503, "busy")
        assert r.headers["retry-after"] == "1"
        assert r.elapsed < 2.0, r.elapsed
    assert all(r.status == 200 for r in mes), mes
    assert max(r.elapsed for r in mes) < 1.0, [r.elapsed for r in mes]


def test_audit_rows_are_written_and_cannot_be_changed():
    assert int(psql("SELECT count(*) FROM audit_log WHERE action = 'auth.login'")) > 0
    assert int(psql("SELECT count(*) FROM audit_log WHERE action = 'auth.logout'")) > 0
    import subprocess
    try:
        psql("UPDATE audit_log SET action = 'x'")
        raise AssertionError("audit_log accepted an UPDATE")
    except subprocess.CalledProcessError as e:
        assert "append-only" in e.stderr


def _b64d(s):
    import base64
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_an_access_token_ends_when_the_one_clock_passes_its_lifetime():
    """The workers read time from the one clock: moving it 16 minutes on
    (test mode) expires a 15-minute access token without waiting."""
    t = tokens("stp.chuyenvien")["access_token"]
    assert call("GET", "/api/v1/me", token=t).status == 200
    with clock_moved(16 * 60):
        r = wait_for(lambda: (lambda x: x if x.status == 401 else None)(call("GET", "/api/v1/me", token=t)), 5)
        assert r, "the token still works 16 minutes later"
        problem(r, 401, "invalid-token")
        # a token minted on the moved clock works on it
        t2 = tokens("stp.chuyenvien")["access_token"]
        assert call("GET", "/api/v1/me", token=t2).status == 200
    assert wait_for(lambda: call("GET", "/api/v1/me", token=t).status == 200, 5), "the clock did not come back"


def test_a_refresh_whose_answer_was_lost_is_answered_again_with_the_same_pair():
    t1 = tokens("stp.chuyenvien")
    first = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
    assert first.status == 200, first
    # the phone never saw that answer and sends the same token again: the same pair
    again = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
    assert again.status == 200, again
    assert again.json["access_token"] == first.json["access_token"]
    assert again.json["refresh_token"] == first.json["refresh_token"]
    assert 0 < again.json["expires_in"] <= first.json["expires_in"]
    assert call("GET", "/api/v1/me", token=again.json["access_token"]).status == 200
    # refresh tokens stay stored only as hashes
    assert psql("SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%"
                + first.json["refresh_token"][:12] + "%'") == "0"
    # the new token used: the old one coming back now is a copy, and ends the session
    second = call("POST", "/api/v1/auth/refresh", body={"refresh_token": first.json["refresh_token"]})
    assert second.status == 200, second
    problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]}),
            401, "refresh-token-reused")
    problem(call("GET", "/api/v1/me", token=second.json["access_token"]), 401, "invalid-token")


def test_after_the_grace_window_a_reused_refresh_token_ends_the_session():
    t1 = tokens("stp.chuyenvien")
    first = call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
    assert first.status == 200, first
    with clock_moved(61):
        problem(call("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]}),
                401, "refresh-token-reused")
        problem(call("GET", "/api/v1/me", token=first.json["access_token"]), 401, "invalid-token")


def test_two_refreshes_at_once_get_one_rotation_and_the_same_pair():
    import concurrent.futures
    for _ in range(5):
        t1 = tokens("stp.chuyenvien")
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            rs = list(ex.map(lambda _: request("POST", "/api/v1/auth/refresh",
                                               body={"refresh_token": t1["refresh_token"]}), range(4)))
        assert all(r.status == 200 for r in rs), rs
        assert len({(r.json["access_token"], r.json["refresh_token"]) for r in rs}) == 1
        assert call("GET", "/api/v1/me", token=rs[0].json["access_token"]).status == 200
        assert psql("SELECT count(*) FROM refresh_tokens c JOIN refresh_tokens p ON p.id = c.parent_id"
                    f" WHERE p.token_hash = sha256(convert_to('{t1['refresh_token']}', 'UTF8'))") == "1"


def test_my_sessions_are_listed_and_ended_one_by_one_or_all_others():
    run = uuid.uuid4().hex[:6]
    PHONE, TABLET, LAPTOP = (f"Điện thoại Android {run}", f"Máy tính bảng {run}", f"Máy tính xách tay {run}")
    phone = login("stttt.truongphong", device=PHONE).json
    tablet = login("stttt.truongphong", device=TABLET).json
    laptop = login("stttt.truongphong", device=LAPTOP).json
    me = call("GET", "/api/v1/me/sessions", token=phone["access_token"])
    assert me.status == 200, me
    mine = {s["device_name"]: s for s in me.json["items"]}
    assert {PHONE, TABLET, LAPTOP} <= mine.keys()
    assert mine[PHONE]["current"] and not mine[TABLET]["current"]
    # refreshing records when and from where
    r = call("POST", "/api/v1/auth/refresh", body={"refresh_token": tablet["refresh_token"]})
    assert r.status == 200
    tablet_access = r.json["access_token"]
    after = {s["device_name"]: s for s in call("GET", "/api/v1/me/sessions", token=phone["access_token"]).json["items"]}
    assert after[TABLET]["last_refresh_at"] is not None and after[TABLET]["ip"]
    # end the tablet's: its tokens stop at once
    tid = after[TABLET]["id"]
    assert call("DELETE", f"/api/v1/me/sessions/{tid}", token=phone["access_token"]).status == 204
    problem(call("GET", "/api/v1/me", token=tablet_access), 401, "invalid-token")
    problem(call("DELETE", f"/api/v1/me/sessions/{tid}", token=phone["access_token"]), 404, "session-not-found")
    # another user's session is not mine
    other = call("GET", "/api/v1/me/sessions", token=tokens("stttt.vanthu")["access_token"]).json["items"][0]["id"]
    problem(call("DELETE", f"/api/v1/me/sessions/{other}", token=phone["access_token"]), 404, "session-not-found")
    problem(call("DELETE", "/api/v1/me/sessions/abc", token=phone["access_token"]), 404, "session-not-found")
    problem(call("POST", "/api/v1/me/sessions/end-others", token=phone["access_token"], body={"all": True}),
            400, "unknown-field")
    # all others end; this one goes on
    r = call("POST", "/api/v1/me/sessions/end-others", token=phone["access_token"])
    assert r.status == 200 and r.json["ended"] >= 1, r
    problem(call("GET", "/api/v1/me", token=laptop["access_token"]), 401, "invalid-token")
    assert call("GET", "/api/v1/me", token=phone["access_token"]).status == 200
    left = call("GET", "/api/v1/me/sessions", token=phone["access_token"]).json["items"]
    assert [s["device_name"] for s in left] == [PHONE]


def test_the_directory_fills_a_phones_forms_and_shows_contacts_only_within_ones_own_agency():
    t = tokens("stp.chuyenvien")["access_token"]
    r = call("GET", "/api/v1/directory/agencies", token=t)
    assert r.status == 200, r
    by_code = {a["code"]: a for a in r.json["items"]}
    assert "000.00.01.H19" not in by_code and all(a["closed"] is None for a in r.json["items"])
    stp = by_code["000.00.21.H19"]
    assert {"VP", "XDKTVB"} <= {u["abbr"] for u in stp["units"]}
    assert {(l["full_name"], l["position"]) for l in stp["leaders"]} >= {("Lê Hoàng Phúc", "leader"),
                                                                         ("Trịnh Văn Bảo", "deputy_leader")}
    # cached: the same ETag gives 304
    again = call("GET", "/api/v1/directory/agencies", token=t, headers={"If-None-Match": r.headers["etag"]})
    assert again.status == 304 and again.headers["etag"] == r.headers["etag"]
    closed = {a["code"]: a for a in call("GET", "/api/v1/directory/agencies?include=closed", token=t).json["items"]}
    assert closed["000.00.01.H19"]["closed"]["successor"]["code"] == "000.00.23.H19"
    problem(call("GET", "/api/v1/directory/agencies?include=all", token=t), 400, "invalid-parameter")
    # members: one's own agency in full, others by name, position and unit
    own = call("GET", "/api/v1/directory/agencies/000.00.21.H19/members", token=t).json["items"]
    assert own and all("phone" in m and "roles" in m for m in own)
    khoa = [m for m in own if m["full_name"] == "Đỗ Minh Khoa"][0]
    assert khoa["email"] == "stp.chuyenvien@demo.qlvb.vn" and khoa["phone"].startswith("0251 "), khoa
    other = call("GET", "/api/v1/directory/agencies/000.00.23.H19/members", token=t).json["items"]
    assert other and all(set(m) == {"id", "full_name", "position", "title", "unit"} for m in other)
    leaders = call("GET", "/api/v1/directory/agencies/000.00.21.H19/members?position=leader", token=t).json["items"]
    assert [m["full_name"] for m in leaders] == ["Lê Hoàng Phúc"]
    clerks = call("GET", "/api/v1/directory/agencies/000.00.21.H19/members?role=clerk", token=t).json["items"]
    assert [m["full_name"] for m in clerks] == ["Ngô Thị Lan"]
    unit = [u for u in stp["units"] if u["abbr"] == "XDKTVB"][0]["id"]
    in_unit = call("GET", f"/api/v1/directory/agencies/000.00.21.H19/members?unit_id={unit}", token=t).json["items"]
    assert {m["full_name"] for m in in_unit} >= {"Phạm Thị Thu Hương", "Đỗ Minh Khoa"}
    for bad in ("position=chief", "role=boss", "unit_id=0", "unit_id=x"):
        problem(call("GET", f"/api/v1/directory/agencies/000.00.21.H19/members?{bad}", token=t), 400, "invalid-parameter")
    problem(call("GET", "/api/v1/directory/agencies/000.00.01.H19/members", token=t), 404, "agency-not-found")
    problem(call("GET", "/api/v1/directory/agencies", token=None), 401)
    # the catalogues
    c = call("GET", "/api/v1/catalogues", token=t)
    assert c.status == 200 and {"code": "QD", "name": "Quyết định", "abbr": "QĐ"} in c.json["document_types"]
    assert [u["label"] for u in c.json["urgency_levels"]] == ["Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"]
    assert call("GET", "/api/v1/catalogues", token=t, headers={"If-None-Match": c.headers["etag"]}).status == 304
