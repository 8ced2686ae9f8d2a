"""The structure the code keeps: every SQL function's live body once under
sql/functions/, migrations that never redefine one, a migrated old database
with the same schema as a new one, and the spec's problem types equal to
the one registry, and every status the server can send declared on each
operation."""
import glob
import os
import re
import subprocess

from lib import PORT, ROOT, SPEC, VAR, admin

FUNC = re.compile(r"CREATE\s+(OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(", re.I)
# The last migration written before sql/functions/ existed; later ones may
# create a function's first version, never redefine one.
BASELINE = 8


def _functions(path):
    return [(m.group(2).lower(), bool(m.group(1))) for m in FUNC.finditer(open(path, encoding="utf-8").read())]


def test_every_function_has_one_definition_under_sql_functions():
    seen = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "sql", "functions", "*.sql"))):
        for name, _ in _functions(path):
            assert name not in seen, f"{name} is defined in {seen[name]} and in {os.path.basename(path)}"
            seen[name] = os.path.basename(path)
    assert "doc_approve" in seen and "visible_documents" in seen, seen


def test_no_migration_after_the_baseline_redefines_a_function():
    created = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "sql", "migrations", "*.sql"))):
        number = int(os.path.basename(path)[:4])
        for name, replace in _functions(path):
            if number > BASELINE:
                assert not replace, f"{os.path.basename(path)} redefines {name}: its body lives in sql/functions/"
                assert name not in created, f"{os.path.basename(path)} creates {name} again"
            created.add(name)


def _psql(db, sql):
    return subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
                           "psql", "-v", "ON_ERROR_STOP=1", "-h", f"{VAR}/run", "-p", str(PORT + 10),
                           "-U", "qlvb", "-d", db, "-Atqc", sql], capture_output=True, text=True, check=True)


def _dump(db):
    pgbin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    out = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
                          f"{pgbin}/pg_dump", "--schema-only", "--no-owner", "-h", f"{VAR}/run",
                          "-p", str(PORT + 10), "-U", "qlvb", "-d", db],
                         capture_output=True, text=True, check=True).stdout
    return [l for l in out.splitlines() if l and not l.startswith("--") and not l.startswith("\\restrict")
            and not l.startswith("\\unrestrict")]


def _migrate(db):
    r = admin("migrate", env_extra={"QLVB_ADMIN_DATABASE_URL": f"postgresql://qlvb@/{db}?host={VAR}/run&port={PORT + 10}"})
    assert r.returncode == 0, r.stderr
    return r


def test_migrate_on_a_database_of_the_earlier_code_gives_the_schema_of_a_new_one():
    for db in ("qlvb_cmp_old", "qlvb_cmp_new"):
        _psql("postgres", f"DROP DATABASE IF EXISTS {db}")
        _psql("postgres", f"CREATE DATABASE {db}")
    try:
        # what the code before sql/functions/ made: its migrations as they were
        for path in sorted(glob.glob(os.path.join(ROOT, "sql", "migrations", "*.sql"))):
            if int(os.path.basename(path)[:4]) < BASELINE:
                _psql("qlvb_cmp_old", "BEGIN;\n" + open(path, encoding="utf-8").read() + "\nCOMMIT;")
        _psql("qlvb_cmp_old", "CREATE TABLE schema_migrations (version text PRIMARY KEY, name text NOT NULL,"
                              " applied_at timestamptz NOT NULL DEFAULT now());"
                              "INSERT INTO schema_migrations (version, name) SELECT lpad(g::text, 4, '0'), 'old'"
                              "  FROM generate_series(1, %d) g" % (BASELINE - 1))
        _migrate("qlvb_cmp_old")
        _migrate("qlvb_cmp_new")
        old, new = _dump("qlvb_cmp_old"), _dump("qlvb_cmp_new")
        assert len(new) > 500, len(new)
        diff = sorted(set(old) ^ set(new))
        assert old == new, f"schemas differ in {len(diff)} lines, e.g. {diff[:6]}"
        # migrating again changes nothing
        _migrate("qlvb_cmp_new")
        assert _dump("qlvb_cmp_new") == new
    finally:
        for db in ("qlvb_cmp_old", "qlvb_cmp_new"):
            _psql("postgres", f"DROP DATABASE IF EXISTS {db}")


def _registry():
    r = admin("problems")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    return {slug: (int(status), sqlstate, vi, en) for slug, status, sqlstate, vi, en in rows}


def test_the_spec_lists_exactly_the_problem_types_of_the_registry():
    reg = _registry()
    assert "document-not-found" in reg and "not-found" in reg, reg
    listed = SPEC["components"]["schemas"]["ProblemType"]["enum"]
    assert sorted(listed) == sorted("urn:qlvb:problem:" + s for s in reg), \
        sorted(set(listed) ^ set("urn:qlvb:problem:" + s for s in reg))
    sqlstates = [v[1] for v in reg.values() if v[1] != "-"]
    assert len(sqlstates) == len(set(sqlstates)), "two problems share an SQLSTATE"
    assert all(re.match(r"^QP[0-9A-Z]{3}$", s) for s in sqlstates), sqlstates
    assert all(v[2] and v[3] for v in reg.values()), "a problem without its titles"


def _database_before(db, migration):
    """A scratch database as the code before migration number `migration`
    left it: the earlier migrations applied as they were, one agency and
    one user of it. Dropped first if it was there."""
    _psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    _psql("postgres", f"CREATE DATABASE {db}")
    last = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "sql", "migrations", "*.sql"))):
        number = int(os.path.basename(path)[:4])
        if number < migration:
            _psql(db, "BEGIN;\n" + open(path, encoding="utf-8").read() + "\nCOMMIT;")
            last = number
    _psql(db, "CREATE TABLE schema_migrations (version text PRIMARY KEY, name text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now());"
              "INSERT INTO schema_migrations (version, name) SELECT lpad(g::text, 4, '0'), 'old'"
              f"  FROM generate_series(1, {last}) g")
    _psql(db, "INSERT INTO agencies (code, name, abbr, kind) VALUES ('000.00.21.H19', 'Sở Tư pháp', 'STP', 'department');"
              "INSERT INTO users (username, full_name, password_hash) VALUES ('stp.a', 'A', 'x');")


def test_migrate_stops_on_a_database_that_holds_state_secrets_and_says_what_to_do():
    db = "qlvb_cmp_secrets"
    try:
        _database_before(db, 18)
        _psql(db, "INSERT INTO documents (agency_id, direction, status, type_code, subject, author_id, secrecy)"
                  " SELECT (SELECT id FROM agencies), 'in', 'registered', 'CV', 'mật', (SELECT id FROM users), 1")
        r = admin("migrate", env_extra={"QLVB_ADMIN_DATABASE_URL": f"postgresql://qlvb@/{db}?host={VAR}/run&port={PORT + 10}"})
        assert r.returncode != 0, r.stdout
        assert "marked Mật, Tối mật or Tuyệt mật" in r.stderr and "nothing of it applied" in r.stderr, r.stderr
        assert "Move them to" in r.stderr, r.stderr
        assert _psql(db, "SELECT count(*) FROM books").stdout.strip() == "4"       # nothing of 0018 applied
    finally:
        _psql("postgres", f"DROP DATABASE IF EXISTS {db}")


def test_migrate_lists_and_marks_notations_issued_twice_and_then_refuses_another():
    """A database that already holds two outgoing documents under one
    notation (issued before the rule) keeps both: migrate lists the later
    one and marks it; from then on the database refuses a third."""
    db = "qlvb_cmp_dupes"
    try:
        _database_before(db, 11)
        _psql(db, "INSERT INTO documents (agency_id, direction, status, type_code, subject, author_id, book_year,"
                  "                       book_number, number_notation, issued_at)"
                  " SELECT (SELECT id FROM agencies), 'out', 'issued', 'QD', s, (SELECT id FROM users), 2026, n, '12/QĐ-STP', t"
                  "   FROM (VALUES ('số 12', 12, timestamptz '2026-02-01'), ('số 120', 120, '2026-09-01'),"
                  "                ('số 121', 121, '2026-09-02')) v(s, n, t)")
        r = _migrate(db)
        assert r.stderr.count("duplicate notation kept and marked") == 2, r.stderr
        assert "2 outgoing document(s) marked" in r.stderr, r.stderr
        marked = _psql(db, "SELECT string_agg(subject, ',' ORDER BY id) FROM documents WHERE notation_duplicate").stdout.strip()
        assert marked == "số 120,số 121", marked
        third = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--", "psql",
                                "-h", f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", db, "-Atqc",
                                "INSERT INTO documents (agency_id, direction, status, type_code, subject, author_id,"
                                " book_year, book_number, number_notation)"
                                " SELECT id, 'out', 'issued', 'QD', 'x', (SELECT id FROM users), 2026, 13, '12/qđ-stp'"
                                " FROM agencies"], capture_output=True, text=True)
        assert third.returncode != 0 and "documents_out_notation_unique" in third.stderr, third.stderr
    finally:
        _psql("postgres", f"DROP DATABASE IF EXISTS {db}")


def test_every_route_is_in_the_spec_and_every_path_of_the_spec_is_routed():
    text = open(os.path.join(ROOT, "api", "routes.c"), encoding="utf-8").read()
    routes = {(m, p) for m, p in re.findall(r'\{\s*"(GET|HEAD|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"', text)}
    ops = {(m.upper(), p) for p, item in SPEC["paths"].items() for m in item
           if m in ("get", "head", "post", "put", "patch", "delete")}
    assert len(routes) > 20, routes
    assert routes == ops, f"routed, not in the spec: {sorted(routes - ops)}; in the spec, not routed: {sorted(ops - routes)}"


def test_every_operation_declares_every_status_the_server_can_send():
    from spec_statuses import required_statuses
    missing = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method not in ("get", "head", "post", "put", "patch", "delete"):
                continue
            lacking = required_statuses(SPEC, path, method, op) - set(op["responses"])
            if lacking:
                missing.append(f"{method.upper()} {path}: {sorted(lacking)}")
    assert not missing, "undeclared statuses:\n" + "\n".join(missing)
    # the rule sees what it should: an operation with a body, a key and If-Match
    op = SPEC["paths"]["/api/v1/documents/{id}/approve"]["post"]
    assert required_statuses(SPEC, "/api/v1/documents/{id}/approve", "post", op) >= {
        "400", "401", "404", "409", "412", "413", "415", "422", "500", "503"}


def test_answers_may_gain_members_while_the_tests_hold_the_server_to_the_spec():
    """Response schemas leave other members open for clients; request
    schemas refuse them; the tests' strict copy refuses them in answers."""
    from lib import STRICT
    tokens = SPEC["components"]["schemas"]["Tokens"]
    assert "additionalProperties" not in tokens
    assert STRICT["components"]["schemas"]["Tokens"]["additionalProperties"] is False
    assert SPEC["components"]["schemas"]["DraftRequest"]["additionalProperties"] is False
    assert STRICT["components"]["schemas"]["Problem"]["additionalProperties"] is True


def test_every_operation_lists_its_problems_from_the_registry_and_every_problem_has_a_home():
    """x-problems name problems of the registry only, every operation with
    bodies has its list (the API tests hold each answer to it), and every
    problem of the registry may be answered somewhere."""
    registry = {line.split("\t")[0] for line in admin("problems").stdout.splitlines()}
    listed = set()
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert "x-problems" in op, f"{method.upper()} {path} has no x-problems"
                unknown = set(op["x-problems"]) - registry
                assert not unknown, f"{method.upper()} {path}: {sorted(unknown)} are not in the registry"
                listed |= set(op["x-problems"])
    homeless = registry - listed - {"not-found", "method-not-allowed"}     # answers of no operation
    assert not homeless, f"problems no operation lists: {sorted(homeless)}"


def _calls(text, name):
    """The argument lists of every call of name in text, split at top-level
    commas (SQL quotes and C strings and parentheses respected)."""
    out = []
    for m in re.finditer(r"\b" + name + r"\s*\(", text):
        i, depth, args, cur, quote = m.end(), 1, [], "", None
        while depth:
            ch = text[i]
            if quote:
                cur += ch
                if ch == "\\" and quote == '"':
                    cur += text[i + 1]
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch in "'\"":
                quote, cur = ch, cur + ch
            elif ch == "(":
                depth, cur = depth + 1, cur + ch
            elif ch == ")":
                depth -= 1
                if depth:
                    cur += ch
            elif ch == "," and depth == 1:
                args.append(cur.strip())
                cur = ""
            else:
                cur += ch
            i += 1
        args.append(cur.strip())
        out.append((text[:m.start()].count("\n") + 1, args))
    return out


def test_every_refusal_a_client_reads_is_written_in_vietnamese_and_english():
    missing = []
    for path in sorted(glob.glob(os.path.join(ROOT, "sql", "functions", "*.sql"))):
        text = open(path, encoding="utf-8").read()
        for line, args in _calls(text, "problem_raise"):
            if line == 1 or "FUNCTION problem_raise" in text.splitlines()[line - 1]:
                continue
            if len(args) < 3 or args[2].upper() == "NULL":
                missing.append(f"{os.path.relpath(path, ROOT)}:{line}")
    for path in sorted(glob.glob(os.path.join(ROOT, "api", "*.c")) + glob.glob(os.path.join(ROOT, "fcgi", "*.c"))):
        text = open(path, encoding="utf-8").read()
        for name, at in (("resp_problem", 2), ("resp_problem_ext", 2), ("resp_problem_at", 4), ("unauthorized", 2), ("too_many", 2)):
            for line, args in _calls(text, name):
                if len(args) > at and re.search(r'(^|\(|, *)"', args[at]) and not re.search(r"SAY\(|\bT\(|lang_en", args[at]):
                    missing.append(f"{os.path.relpath(path, ROOT)}:{line}: {args[at][:60]}")
    assert not missing, "a detail in one language only:\n" + "\n".join(missing)
