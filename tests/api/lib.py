"""Black-box helpers: HTTP through nginx, checks against mobile-spec/openapi.yaml,
and control of the test stack's services for the fault tests."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import subprocess
import time

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORT = int(os.environ.get("QLVB_PORT", "18080"))
VAR = os.environ.get("QLVB_VAR", os.path.join(ROOT, "var", "test"))
# the stack's body limits (fcgi/config.c's defaults unless tests/run.sh sets them)
BODY_MAX = int(os.environ.get("QLVB_BODY_MAX") or 1 << 20)
FILE_MAX = int(os.environ.get("QLVB_FILE_MAX") or 20 << 20)
SPEC = yaml.safe_load(open(os.path.join(ROOT, "mobile-spec", "openapi.yaml"), encoding="utf-8"))


def _strict(node):
    """A copy where every object schema that says nothing of other members
    refuses them: answers may gain members for clients, but the tests hold
    the server to exactly what the spec declares. (Explicitly open ones,
    the problem details, stay open.)"""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


STRICT = _strict(SPEC)
RESOLVER = jsonschema.RefResolver.from_schema(STRICT)

# Every secret a test handled; none may appear in any log afterwards.
SECRETS = set()
# The subjects, notes and other contents the suite sent; none may appear in
# any log either (PostgreSQL's included).
CONTENTS = set()
_CONTENT_FIELDS = ("subject", "note", "reason", "direction_note", "issuer_name", "signer_name")


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        self.elapsed = elapsed
        ctype = self.headers.get("content-type", "")
        self.json = json.loads(body) if body and "json" in ctype else None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def request(method, path, body=None, headers=None, token=None, raw=None, content_type="application/json"):
    """One request on a new connection; body is JSON-encoded unless raw."""
    h = dict(headers or {})
    data = raw
    if isinstance(body, dict):
        for k in _CONTENT_FIELDS:
            if isinstance(body.get(k), str) and len(body[k]) >= 12:
                CONTENTS.add(body[k])
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
    if data is not None and content_type and "Content-Type" not in h:
        h["Content-Type"] = content_type
    if token:
        h["Authorization"] = "Bearer " + token
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    t0 = time.monotonic()
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    payload = r.read()
    elapsed = time.monotonic() - t0
    conn.close()
    return Response(r.status, r.getheaders(), payload, elapsed)


# The API's moments: Vietnam's time, exactly three fractional digits (the
# spec's description); dates are YYYY-MM-DD.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def _api_time(value):
    return not isinstance(value, str) or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", value) is not None


@FORMATS.checks("date")
def _api_date(value):
    return not isinstance(value, str) or re.fullmatch(r"\d{4}-\d\d-\d\d", value) is not None


def _schema_validate(instance, schema):
    jsonschema.Draft202012Validator(schema, resolver=RESOLVER, format_checker=FORMATS).validate(instance)


def _resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        node = STRICT
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        obj = node
    return obj


def find_operation(method, path):
    path = path.split("?")[0]
    for template, item in STRICT["paths"].items():
        rx = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(rx, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def check_spec(method, path, resp):
    """The response is one the spec documents for this operation, headers
    and body included; unknown paths and methods get a Problem."""
    assert re.match(r"^[0-9a-f-]{1,64}$", resp.headers.get("x-request-id", "")), \
        f"{method} {path}: X-Request-Id missing: {resp.headers}"
    template, op = find_operation(method, path)
    if op is None:
        assert resp.status in (404, 405), f"{method} {path} is not in the spec but answered {resp.status}"
        assert resp.headers.get("content-type", "").startswith("application/problem+json"), resp
        _schema_validate(resp.json, {"$ref": "#/components/schemas/Problem"})
        return
    responses = op["responses"]
    key = str(resp.status)
    assert key in responses, f"{method} {template}: status {resp.status} is not documented: {resp}"
    spec_resp = _resolve(responses[key])
    content = spec_resp.get("content")
    if not content:
        assert not resp.body, f"{method} {template} {resp.status}: body where the spec has none"
        return
    ctype = resp.headers.get("content-type", "").split(";")[0].strip()
    if ctype not in content and "*/*" in content:
        return                      # bytes of any type
    assert ctype in content, f"{method} {template} {resp.status}: content type {ctype} not in {list(content)}"
    if "json" not in ctype:
        return                      # a file (CSV, XLSX): its type is the contract
    _schema_validate(resp.json, content[ctype]["schema"])
    if ctype == "application/problem+json" and "x-problems" in op:
        slug = resp.json["type"].rsplit(":", 1)[-1]
        assert slug in op["x-problems"], f"{method} {template}: problem {slug} is not in its x-problems"
    for name, h in (spec_resp.get("headers") or {}).items():
        h = _resolve(h)
        if name.lower() in ("retry-after", "allow") and resp.status in (429, 503):
            assert name.lower() in resp.headers, f"{method} {template} {resp.status}: {name} missing"


def call(method, path, **kw):
    """A request whose response is checked against the spec."""
    r = request(method, path, **kw)
    check_spec(method, path, r)
    if r.json and isinstance(r.json, dict):
        for k in ("access_token", "refresh_token"):
            if k in r.json:
                SECRETS.add(r.json[k])
    return r


def problem(resp, status, slug=None):
    assert resp.status == status, f"expected {status}, got {resp}"
    assert resp.headers.get("content-type", "").startswith("application/problem+json"), resp
    assert resp.json["status"] == status, resp
    if slug:
        assert resp.json["type"] == "urn:qlvb:problem:" + slug, resp


def login(username, password="demo123", device="test", xff=None):
    headers = {"X-Forwarded-For": xff} if xff else None
    r = call("POST", "/api/v1/auth/login", body={"username": username, "password": password,
                                                  "device_name": device}, headers=headers)
    return r


def tokens(username, password="demo123"):
    SECRETS.add(password)
    r = login(username, password)
    assert r.status == 200, r
    return r.json


# ---- tokens crafted with the stack's own key, for end-to-end refusal tests ----

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def stack_key():
    with open(os.path.join(VAR, "keys", "jwt.keys")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                kid, secret = line.split()
                return kid, base64.b64decode(secret)
    raise AssertionError("no key in the stack's key file")


def craft(header, claims, key, alg="sha256"):
    h = b64url(json.dumps(header).encode())
    p = b64url(json.dumps(claims).encode())
    sig = b64url(hmac.new(key, f"{h}.{p}".encode(), getattr(hashlib, alg)).digest()) if key else ""
    return f"{h}.{p}.{sig}"


# ---- the test stack's services ----

def stack(cmd, env_extra=None):
    env = dict(os.environ, QLVB_VAR=VAR, QLVB_PORT=str(PORT))
    env.update(env_extra or {})
    subprocess.run(["bash", os.path.join(ROOT, "deploy", "stack.sh"), cmd], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def pid_of(name):
    with open(os.path.join(VAR, "run", name + ".pid")) as f:
        return int(f.read().split()[0])


def worker_pids():
    master = pid_of("api")
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def wait_for(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def admin(*args, stdin=None, env_extra=None):
    env = dict(os.environ,
               QLVB_ADMIN_DATABASE_URL=f"postgresql://qlvb@/qlvb?host={VAR}/run&port={PORT + 10}",
               QLVB_MIGRATIONS_DIR=os.path.join(ROOT, "sql", "migrations"),
               QLVB_FUNCTIONS_DIR=os.path.join(ROOT, "sql", "functions"),
               QLVB_REDIS_URL=f"unix:{VAR}/run/redis.sock",
               QLVB_STORE_DIR=os.path.join(VAR, "store"))
    env.update(env_extra or {})
    return subprocess.run([os.path.join(os.environ.get("QLVB_BIN", os.path.join(ROOT, "bin")), "qlvb-admin"),
                           *args], input=stdin, capture_output=True, text=True, env=env)


def inbox_all(token, query=""):
    """Every item of an inbox view (query: &box=..., filters), page by page."""
    items, cursor = [], ""
    while True:
        page = ok(call("GET", f"/api/v1/inbox?limit=100{query}{cursor}", token=token))
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = f"&cursor={page['next_cursor']}"


def doc_id(item):
    """The document of an inbox item, or None for a task's item."""
    return item["document"]["id"] if item["document"] else None


def psql(sql):
    out = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
                          "psql", "-h", f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb",
                          "-Atqc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def set_clock_offset(seconds):
    """Moves the one clock (qlvb_now() in SQL, clock_now_s() in C) by seconds
    from the real time, in the one place the test stack allows it; the
    workers see it within a second."""
    psql(f"UPDATE test_clock SET offset_us = {int(seconds * 1_000_000)}")


def clock_moved(seconds):
    """A context manager: the clock moved by seconds inside, back after."""
    import contextlib

    @contextlib.contextmanager
    def moved():
        set_clock_offset(seconds)
        try:
            yield
        finally:
            set_clock_offset(0)
    return moved()


class TableLock:
    """A table locked by a session of its own until release() (or the end
    of a with block): requests that need the table wait on it, for as long
    as a test wants them held."""

    def __init__(self, table, mode):
        self.holder = subprocess.Popen(
            ["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
             "psql", "-h", f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atq"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.holder.stdin.write(f"BEGIN; LOCK TABLE {table} IN {mode} MODE; SELECT 'locked';\n")
        self.holder.stdin.flush()
        assert self.holder.stdout.readline().strip() == "locked", "the lock was not taken"

    def release(self):
        if self.holder.poll() is None and not self.holder.stdin.closed:
            self.holder.stdin.write("ROLLBACK;\n")
            self.holder.stdin.close()
            self.holder.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


_tokens = {}
_user_ids = {}


def tok(user):
    """A demo account's access token, signed in again after four minutes
    (tokens live fifteen, and a test may move the clock ten ahead)."""
    if user not in _tokens or time.monotonic() - _tokens[user][1] > 240:
        _tokens[user] = (tokens(user)["access_token"], time.monotonic())
    return _tokens[user][0]


def uid(user):
    if user not in _user_ids:
        _user_ids[user] = call("GET", "/api/v1/me", token=tok(user)).json["id"]
    return _user_ids[user]


def post(user, path, body=None, **kw):
    return call("POST", path, token=tok(user), body={} if body is None else body, **kw)


def get(user, path, **kw):
    return call("GET", path, token=tok(user), **kw)


def ok(r, status=200):
    assert r.status == status, r
    return r.json
