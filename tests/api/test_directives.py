"""Directives of the chairman through nginx: recorded by the office's
tracker, each agency's part a task in its clerks' and leaders' inboxes,
made into the agency's own tasks, confirmed by the office, reminded; the
office's figures add up to the province's, the overdue list, the export;
every refusal changes nothing, and an agency sees only its own part."""
import csv
import datetime
import io
import zipfile

from lib import call, clock_moved, get, ok, post, problem, psql, tok, tokens, uid

STP, STTTT, SYT = "000.00.21.H19", "000.00.23.H19", "000.00.07.H19"


def record(title="Đẩy nhanh tiến độ giải ngân vốn đầu tư công", agencies=None, **extra):
    body = {"title": title, "content": f"Yêu cầu các cơ quan: {title.lower()}.", "directed_by": uid("chutich"),
            "source": "meeting", "meeting": "Thông báo kết luận số 15/TB-UBND", "priority": "urgent",
            "agencies": agencies or [{"agency_code": STP, "role": "lead", "deadline_working_days": 5},
                                     {"agency_code": STTTT, "role": "coordinate", "deadline_working_days": 5}],
            **extra}
    return ok(post("vp.chuyenvien", "/api/v1/directives", body), 201)


def inbox(user, box="process"):
    items, cursor = [], None
    while True:
        page = ok(get(user, f"/api/v1/inbox?box={box}&limit=100" + (f"&cursor={cursor}" if cursor else "")))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def part(directive, code):
    return [p for p in directive["parts"] if p["holder"]["agency_code"] == code][0]


def test_a_directive_reaches_each_agencys_clerk_and_leader_who_see_only_their_part():
    d = record()
    assert [a["agency_code"] for a in d["agencies"]] == [STP, STTTT] and d["agencies"][0]["role"] == "main", d
    assert len(d["parts"]) == 2 and all(p["opened_at"] is None for p in d["parts"])
    stp = part(d, STP)
    for user in ("stp.vanthu", "stp.giamdoc"):
        items = [i for i in inbox(user) if i["task"] and i["task"]["id"] == stp["id"]]
        assert items and items[0]["reason"] == "directive" and items[0]["kind"] == "task", (user, items)
    problem(get("stp.chuyenvien", f"/api/v1/directives/{d['id']}"), 404, "directive-not-found")
    own = ok(get("stttt.vanthu", f"/api/v1/directives/{d['id']}"))
    assert [p["holder"]["agency_code"] for p in own["parts"]] == [STTTT], own["parts"]
    assert d["id"] in [x["id"] for x in ok(get("stp.giamdoc", "/api/v1/directives?limit=100"))["items"]]
    assert d["id"] not in [x["id"] for x in ok(get("stp.chuyenvien", "/api/v1/directives?limit=100"))["items"]]
    # the office sees when each agency first opened it
    ok(get("stp.giamdoc", f"/api/v1/directives/{d['id']}"))
    seen = ok(get("chutich", f"/api/v1/directives/{d['id']}"))
    assert part(seen, STP)["opened_at"] and part(seen, STTTT)["opened_at"], seen["parts"]
    first = part(seen, STP)["opened_at"]
    ok(get("stp.vanthu", f"/api/v1/directives/{d['id']}"))
    assert part(ok(get("chutich", f"/api/v1/directives/{d['id']}")), STP)["opened_at"] == first, "the first opening stays"


def test_an_agency_makes_tasks_of_its_part_reports_and_the_office_confirms_or_returns():
    d = record("Rà soát quy hoạch sử dụng đất")
    stp = part(d, STP)["id"]
    sub = ok(post("stp.giamdoc", "/api/v1/tasks", {"title": "Rà soát quy hoạch huyện Long Thành", "parent_id": stp,
                                                    "lead_user_id": uid("stp.chuyenvien"), "deadline_working_days": 3}), 201)
    assert sub["source"] == "directive", sub
    trail = ok(get("chutich", f"/api/v1/directives/{d['id']}"))
    assert [s["id"] for s in part(trail, STP)["subtasks"]] == [sub["id"]], part(trail, STP)
    assert ok(get("chutich", f"/api/v1/tasks/{sub['id']}"))["id"] == sub["id"], "the chairman reads the agency's own tasks"
    problem(get("stttt.vanthu", f"/api/v1/tasks/{sub['id']}"), 404, "task-not-found")
    # only the agency's clerks and leaders hold its part: not the chairman, not the office
    assert ok(get("chutich", f"/api/v1/tasks/{stp}"))["allowed_actions"] == []
    problem(post("chutich", f"/api/v1/tasks/{stp}/progress", {"percent": 90}), 403, "not-the-holder")
    problem(post("vp.chuyenvien", f"/api/v1/tasks/{stp}/complete"), 403, "not-the-holder")
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{stp}/complete"), 404, "task-not-found")   # not even shown
    ok(post("stp.vanthu", f"/api/v1/tasks/{stp}/progress", {"percent": 50, "note": "Đã rà soát 5/11 huyện"}))
    done = ok(post("stp.vanthu", f"/api/v1/tasks/{stp}/complete", {"note": "Hoàn thành rà soát"}))
    assert done["awaiting_confirmation"], done
    problem(post("stp.giamdoc", f"/api/v1/tasks/{stp}/confirm"), 403, "not-the-assigner")
    back = ok(post("vp.chuyenvien", f"/api/v1/tasks/{stp}/return", {"note": "Thiếu số liệu huyện Nhơn Trạch"}))
    assert not back["awaiting_confirmation"]
    ok(post("stp.vanthu", f"/api/v1/tasks/{stp}/complete"))
    assert ok(post("vp.chuyenvien", f"/api/v1/tasks/{stp}/confirm"))["status"] == "done_on_time"
    assert ok(get("chutich", f"/api/v1/directives/{d['id']}"))["agencies"][0]["status"] == "done_on_time"


def test_the_office_reminds_an_agency_whose_clerk_and_leader_find_it_in_their_inboxes():
    d = record("Báo cáo tình hình phòng chống thiên tai")
    sttt = part(d, STTTT)["id"]
    r = ok(post("vp.chuyenvien", f"/api/v1/directives/{d['id']}/remind", {"agency_code": STTTT, "note": "Đề nghị báo cáo trước thứ Sáu"}))
    assert [x["note"] for x in part(r, STTTT)["reminders"]] == ["Đề nghị báo cáo trước thứ Sáu"]
    for user in ("stttt.vanthu", "stttt.giamdoc"):
        items = [i for i in inbox(user) if i["task"] and i["task"]["id"] == sttt]
        assert items and items[0]["reason"] == "reminder" and items[0]["unread"], (user, items)
    problem(post("stp.giamdoc", f"/api/v1/directives/{d['id']}/remind", {"agency_code": STTTT}), 403, "forbidden")
    r = post("vp.chuyenvien", f"/api/v1/directives/{d['id']}/remind", {"agency_code": SYT})
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/agency_code"
    problem(post("vp.chuyenvien", "/api/v1/directives/999999999/remind", {"agency_code": STP}), 404, "directive-not-found")


def test_the_figures_of_the_agencies_add_up_to_the_provinces_and_follow_the_clock():
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).isoformat()
    d = record("Xử lý dứt điểm kiến nghị cử tri", agencies=[
        {"agency_code": SYT, "role": "lead", "deadline": soon},
        {"agency_code": STP, "role": "coordinate", "deadline_working_days": 2}])
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date()
    period = f"from={today.year}-01-01&to={today.year + 1}-12-31"

    def figures():
        s = ok(get("vp.chuyenvien", f"/api/v1/directives/stats?{period}"))
        for k in ("total", "in_progress", "overdue", "done_on_time", "done_late", "awaiting_confirmation", "fell_due"):
            assert sum(a[k] for a in s["agencies"]) == s["province"][k], (k, s)
        p = s["province"]
        assert p["total"] == p["in_progress"] + p["overdue"] + p["done_on_time"] + p["done_late"] + p["no_deadline"], p
        return s

    before = figures()
    syt = [a for a in before["agencies"] if a["agency_code"] == SYT][0]
    scan = psql(f"SELECT count(*) FROM tasks t JOIN agencies a ON a.id = t.agency_id WHERE a.code = '{SYT}'"
                " AND t.directive_id IS NOT NULL AND t.parent_id IS NULL AND t.user_id IS NULL AND t.active")
    assert syt["total"] == int(scan), (syt, scan)
    with clock_moved(600):
        after = figures()
        moved = [a for a in after["agencies"] if a["agency_code"] == SYT][0]
        assert moved["overdue"] == syt["overdue"] + 1 and moved["in_progress"] == syt["in_progress"] - 1, (syt, moved)
        late = ok(get("chutich", "/api/v1/directives/overdue?limit=100"))["items"]
        assert d["id"] in [x["directive_id"] for x in late] and all(x["days_late"] >= 0 for x in late)
        assert [x["days_late"] for x in late] == sorted((x["days_late"] for x in late), reverse=True)
        phone = ok(get("chutich", "/api/v1/directives?order=overdue&limit=100"))["items"]
        lates = [x["days_late"] for x in phone]
        assert lates == sorted(lates, reverse=True) and d["id"] in [x["id"] for x in phone], phone[:3]
    problem(get("stp.giamdoc", f"/api/v1/directives/stats?{period}"), 403, "forbidden")
    for q in ("from=2026-13-01&to=2026-12-31", "from=2026-12-31&to=2026-01-01", "from=2026-01-01"):
        problem(get("vp.chuyenvien", f"/api/v1/directives/stats?{q}"), 400, "invalid-parameter")


def test_the_office_exports_the_period_as_xlsx_and_as_csv_with_a_bom():
    record("Kiểm tra công tác cải cách hành chính")
    year = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).year
    period = f"from={year}-01-01&to={year + 1}-12-31"
    pairs = int(psql("SELECT count(*) FROM tasks t WHERE t.directive_id IS NOT NULL AND t.parent_id IS NULL"
                     f" AND t.user_id IS NULL AND t.active AND extract(year FROM api_deadline_date(t.deadline)) BETWEEN {year} AND {year + 1}"))
    c = get("vp.chuyenvien", f"/api/v1/directives/export?{period}&format=csv")
    assert c.status == 200 and c.body.startswith(b"\xef\xbb\xbf"), c.headers
    rows = list(csv.reader(io.StringIO(c.body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Số chỉ đạo", "Nội dung chỉ đạo", "Người chỉ đạo", "Cơ quan"] and len(rows) == pairs + 1, len(rows)
    x = get("chutich", f"/api/v1/directives/export?{period}")
    assert x.status == 200 and zipfile.is_zipfile(io.BytesIO(x.body)), x.headers
    assert "theo-doi-chi-dao" in x.headers["content-disposition"]
    problem(get("stp.giamdoc", f"/api/v1/directives/export?{period}"), 403, "forbidden")
    problem(get("vp.chuyenvien", f"/api/v1/directives/export?{period}&format=pdf"), 400, "invalid-parameter")


def test_bad_directives_are_refused_and_change_nothing():
    before = psql("SELECT count(*) || '/' || (SELECT count(*) FROM tasks) FROM directives")
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).isoformat()
    base = {"title": "x", "content": "y", "directed_by": uid("chutich"), "source": "meeting", "meeting": "TB 1",
            "agencies": [{"agency_code": STP, "role": "lead", "deadline_working_days": 3}]}
    cases = [
        ("stp.giamdoc", base, 403, "forbidden", None),
        ("vp.chuyenvien", {**base, "title": ""}, 400, "invalid-field", "/title"),
        ("vp.chuyenvien", {**base, "agencies": []}, 400, "invalid-field", "/agencies"),
        ("vp.chuyenvien", {**base, "agencies": [{"agency_code": STP, "role": "chief"}]}, 400, "invalid-field",
         "/agencies/0/role"),
        ("vp.chuyenvien", {**base, "agencies": [{"agency_code": STP, "role": "coordinate"}]}, 422, "invalid-value", "/agencies"),
        ("vp.chuyenvien", {**base, "agencies": [{"agency_code": "000.00.99.H19", "role": "lead"}]}, 422, "invalid-value",
         "/agencies/0/agency_code"),
        ("vp.chuyenvien", {**base, "agencies": [{"agency_code": STP, "role": "lead"}, {"agency_code": STP, "role": "coordinate"}]},
         422, "person-named-twice", "/agencies/1/agency_code"),
        ("vp.chuyenvien", {**base, "agencies": [{"agency_code": STP, "role": "lead", "deadline": past}]}, 422, "invalid-value",
         "/agencies/0/deadline"),
        ("vp.chuyenvien", {**base, "directed_by": uid("stp.giamdoc")}, 422, "invalid-value", "/directed_by"),
        ("vp.chuyenvien", {**base, "meeting": None}, 422, "invalid-value", "/meeting"),
        ("vp.chuyenvien", {**base, "source": "document"}, 422, "invalid-value", "/document_id"),
    ]
    for user, body, status, slug, pointer in cases:
        r = post(user, "/api/v1/directives", body)
        problem(r, status, slug)
        if pointer:
            assert pointer in [e["pointer"] for e in r.json.get("errors", [])], (body, r.json)
    for q in ("order=oldest", "cursor=abc", "limit=0"):
        problem(get("chutich", f"/api/v1/directives?{q}"), 400, "invalid-parameter")
    problem(get("chutich", "/api/v1/directives/999999999"), 404, "directive-not-found")
    problem(call("GET", "/api/v1/directives"), 401, "missing-token")
    assert psql("SELECT count(*) || '/' || (SELECT count(*) FROM tasks) FROM directives") == before
