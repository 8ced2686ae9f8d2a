"""The inbox changes feed, as a phone uses it: a token for now, the boxes
paged while other people keep changing them, then syncs; after 1,000
random changes the phone holds exactly the server's inbox, nothing missed
or duplicated. And the feed's refusals: unknown, foreign and expired
tokens answer 410 and the phone reloads."""
import datetime
import os
import random
import subprocess
import uuid

from lib import PORT, VAR, call, problem, psql, set_clock_offset, tokens


class Session:
    """One psql session kept open: the many small queries of the random
    changes without a process each."""

    def __init__(self):
        self.p = subprocess.Popen(
            ["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--",
             "psql", "-X", "-h", f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atq",
             "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, sql):
        self.p.stdin.write(sql.rstrip().rstrip(";") + ";\n\\echo __end__\n")
        self.p.stdin.flush()
        out = []
        while True:
            line = self.p.stdout.readline()
            assert line, "the psql session ended"
            if line.strip() == "__end__":
                return "\n".join(out).strip()
            out.append(line.rstrip("\n"))

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)

PHONE = "stp.giamdoc"          # a leader: documents are presented to him and he directs them
BOXES = ("process", "approve", "info", "done")
_tok = {}
_offset = [0]                  # where the tests moved the one clock: access tokens live 15 minutes on it


def tok(user):
    if (user, _offset[0]) not in _tok:
        _tok[user, _offset[0]] = tokens(user)["access_token"]
    return _tok[user, _offset[0]]


def move_clock(seconds):
    _offset[0] = seconds
    set_clock_offset(seconds)


def ok(r, status=200):
    assert r.status == status, r
    return r.json


def changes(since=None, limit=None, user=PHONE):
    q = "&".join(f"{k}={v}" for k, v in (("since", since), ("limit", limit)) if v is not None)
    return call("GET", "/api/v1/inbox/changes" + (f"?{q}" if q else ""), token=tok(user))


class Phone:
    """The phone's offline copy: items by id, and its sync token."""

    def __init__(self):
        self.items = {}
        self.token = ok(changes())["next"]
        self.pages = 0

    def page(self, box, limit):
        """One box, page by page, as the app loads it; applies each page."""
        cursor = None
        while True:
            q = f"box={box}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            page = ok(call("GET", f"/api/v1/inbox?{q}", token=tok(PHONE)))
            for it in page["items"]:
                self.items[it["id"]] = it
            self.pages += 1
            cursor = page["next_cursor"]
            if not cursor:
                return
            yield

    def sync(self, limit=None):
        while True:
            got = ok(changes(self.token, limit))
            ids = [it["id"] for it in got["changed"]] + [x["item_id"] for x in got["removed"]]
            assert len(ids) == len(set(ids)), f"an item twice in one answer: {got}"
            for it in got["changed"]:
                self.items[it["id"]] = it
            for gone in got["removed"]:
                self.items.pop(gone["item_id"], None)
            self.token = got["next"]
            if not got["has_more"]:
                return


def server_inbox():
    """Every item of every box, as the server has it now."""
    out = {}
    for box in BOXES:
        cursor = None
        while True:
            q = f"box={box}&limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = ok(call("GET", f"/api/v1/inbox?{q}", token=tok(PHONE)))
            for it in page["items"]:
                assert it["id"] not in out, f"item {it['id']} twice in the inbox"
                out[it["id"]] = it
            cursor = page["next_cursor"]
            if not cursor:
                break
    return out


def test_a_phone_that_pages_and_syncs_ends_with_exactly_the_servers_inbox_across_1000_random_changes():
    seed = int(os.environ.get("QLVB_SYNC_SEED") or uuid.uuid4().int % 10**6)
    rnd = random.Random(seed)
    leader = ok(call("GET", "/api/v1/me", token=tok(PHONE)))["id"]
    official = ok(call("GET", "/api/v1/me", token=tok("stp.chuyenvien")))["id"]
    run = uuid.uuid4().hex[:8]
    n_doc = [0]
    offset = [0]

    def present():
        n_doc[0] += 1
        due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset[0])
               + datetime.timedelta(hours=rnd.choice([2, 30, 80, 200]))).isoformat()
        doc = ok(call("POST", "/api/v1/documents/incoming", token=tok("stp.vanthu"), body={
            "type_code": "CV", "subject": f"Công văn đồng bộ {run} số {n_doc[0]}",
            "number_notation": f"{n_doc[0]}/{run}", "doc_date": "2026-11-20",
            "issuer_name": "Ủy ban nhân dân tỉnh Đồng Nai", "deadline": due}), 201)
        ok(call("POST", f"/api/v1/documents/{doc['id']}/present", token=tok("stp.vanthu"),
                body={"leader_id": leader}))

    sql = Session()

    def mine(box=None):
        """(item, document) of the phone's items of this run, in a box or all."""
        rows = sql("SELECT string_agg(i.id || ':' || i.document_id, ',') FROM inbox_items i JOIN documents d"
                    f" ON d.id = i.document_id WHERE i.user_id = {leader} AND d.subject LIKE '%{run}%'"
                    + (f" AND i.box = '{box}'" if box else ""))
        return [tuple(map(int, x.split(":"))) for x in rows.split(",") if x]

    def read():
        items = mine()
        if items:
            item, _ = rnd.choice(items)
            ok(call("POST", "/api/v1/inbox/batch", token=tok(PHONE), body={"action": "read", "item_ids": [item]}))

    def direct():
        items = mine("process")
        if items:
            _, doc = rnd.choice(items)
            r = call("POST", f"/api/v1/documents/{doc}/direct", token=tok(PHONE), body={
                "note": "Giao xử lý", "assignments": [{"user_id": official, "role": "main"}]})
            assert r.status in (200, 409), r

    def edit():                                   # another person changes what the inbox shows
        items = mine()
        if items:
            _, doc = rnd.choice(items)
            what = rnd.choice(["subject = subject || '.'", "urgency = (urgency + 1) % 4",
                               "deadline = coalesce(deadline, now()) + interval '7 hours'"])
            sql(f"UPDATE documents SET {what} WHERE id = {doc}")

    def remove():                                 # the copy is withdrawn from the inbox
        items = mine()
        if items:
            item, _ = rnd.choice(items)
            sql("BEGIN; SELECT set_config('qlvb.inbox_removal', 'recalled', true) \\g /dev/null\n"
                f" DELETE FROM inbox_items WHERE id = {item}; COMMIT")

    def tick():                                   # time passes: items become due soon, then overdue
        offset[0] += rnd.choice([3600, 6 * 3600, 20 * 3600])
        move_clock(offset[0])

    ops = [(present, 30), (read, 20), (direct, 12), (edit, 20), (remove, 8), (tick, 4)]
    population = [f for f, w in ops for _ in range(w)]
    try:
        for _ in range(5):
            present()
        phone = Phone()
        done = 0

        def change(k):
            nonlocal done
            for _ in range(k):
                rnd.choice(population)()
                done += 1

        # the boxes paged while others keep changing them
        for box in BOXES:
            for _ in phone.page(box, limit=rnd.choice([2, 3, 5])):
                change(rnd.randint(1, 4))
        # then changes and syncs, with now and then a box paged again
        while done < 1000:
            change(rnd.randint(1, 25))
            if rnd.random() < 0.15:
                for _ in phone.page(rnd.choice(BOXES), limit=rnd.choice([3, 10])):
                    change(rnd.randint(0, 3))
            phone.sync(limit=rnd.choice([None, 1, 4, 50]))
        phone.sync()
        truth = server_inbox()
        assert phone.items.keys() == truth.keys(), \
            f"seed {seed}: missing {sorted(truth.keys() - phone.items.keys())}," \
            f" extra {sorted(phone.items.keys() - truth.keys())}"
        wrong = [i for i in truth if phone.items[i] != truth[i]]
        assert not wrong, f"seed {seed}: stale items {[(phone.items[i], truth[i]) for i in wrong[:3]]}"
        assert len([i for i in truth.values() if i["document"] and run in i["document"]["subject"]]) > 10, "too few items to prove much"
        # nothing changed: the next sync is empty and gives a token again
        got = ok(changes(phone.token))
        assert got["changed"] == [] and got["removed"] == [] and not got["has_more"]
    finally:
        move_clock(0)
        sql.close()


def test_a_token_unknown_foreign_or_older_than_the_log_answers_410_and_the_phone_reloads():
    first = ok(changes())
    assert first == {"changed": [], "removed": [], "has_more": False, "next": first["next"]}
    clerk_token = ok(changes(user="stp.vanthu"))["next"]
    for bad in ("x", "czE6MTox", first["next"] + "A", clerk_token, "czE6OTk5OTk5OjE6MQ"):
        problem(changes(bad), 410, "sync-token-expired")
    for bad in ("0", "501", "x"):
        problem(changes(first["next"], limit=bad), 400, "invalid-parameter")
    # bytes that are no UTF-8, in the query or the path: refused before anything reads them
    problem(call("GET", "/api/v1/inbox/changes?since=%ff%fe", token=tok(PHONE)), 400, "bad-request")
    problem(call("GET", "/api/v1/directory/agencies/%ff%fe/members", token=tok(PHONE)), 400, "bad-request")
    # paging a burst with has_more: every item once, in order, by whole commits
    for _ in range(3):
        ok(call("POST", "/api/v1/documents/incoming", token=tok("stp.vanthu"), body={
            "type_code": "CV", "subject": "Công văn đếm trang", "number_notation": f"{uuid.uuid4().int % 10**6}/X",
            "doc_date": "2026-11-20", "issuer_name": "Sở Nội vụ"}), 201)
    seen, token, calls = [], ok(changes(user="stp.vanthu"))["next"], 0
    # a token may be used again: reading from an older one gives the same changes again
    older = clerk_token
    while True:
        got = ok(changes(older, limit=1, user="stp.vanthu"))
        seen += [i["id"] for i in got["changed"]]
        older, calls = got["next"], calls + 1
        if not got["has_more"]:
            break
    assert len(seen) == len(set(seen)) >= 3 and calls >= 3, (seen, calls)
    assert ok(changes(token, user="stp.vanthu"))["changed"] == []
    # the log keeps 30 days: a token from before a change the log no longer
    # holds is refused; a token after it is not
    before = ok(changes())["next"]
    leader = ok(call("GET", "/api/v1/me", token=tok(PHONE)))["id"]
    doc = ok(call("POST", "/api/v1/documents/incoming", token=tok("stp.vanthu"), body={
        "type_code": "CV", "subject": "Công văn cũ", "number_notation": f"{uuid.uuid4().int % 10**6}/Y",
        "doc_date": "2026-11-20", "issuer_name": "Sở Nội vụ"}), 201)
    ok(call("POST", f"/api/v1/documents/{doc['id']}/present", token=tok("stp.vanthu"), body={"leader_id": leader}))
    after = ok(changes())["next"]
    # another user who never syncs: their old changes go too, and their floor rises
    clerk = ok(call("GET", "/api/v1/me", token=tok("stttt.vanthu")))["id"]
    v = psql(f"UPDATE users SET inbox_version = inbox_version + 1 WHERE id = {clerk} RETURNING inbox_version")
    psql(f"INSERT INTO inbox_changes (user_id, version, item_id, document_id, at) VALUES ({clerk}, {v}, 0, 0, now())")
    old_rows = lambda: psql(f"SELECT count(*) FROM inbox_changes WHERE user_id = {clerk} AND version IS NOT NULL")
    assert old_rows() != "0"
    move_clock(400 * 86400)
    try:
        for _ in range(100):                      # a batch of the oldest at each sync
            ok(changes())
            if old_rows() == "0":
                break
        assert old_rows() == "0" and int(psql(f"SELECT inbox_sync_floor FROM users WHERE id = {clerk}")) >= int(v)
        problem(changes(before), 410, "sync-token-expired")
        # after it: only what crossed a deadline in those 400 days (an item's,
        # or an open task's in any box), no item refused or missed
        assert all(i["overdue"] or (i["task"] and i["task"]["status"] == "overdue")
                   for i in ok(changes(after))["changed"])
        fresh = ok(changes())["next"]
        assert ok(changes(fresh))["changed"] == []
    finally:
        move_clock(0)
