"""The task engine through nginx: tasks created directly and delegated down,
a document's direction as tasks, statuses derived at the moment of the
answer (the one clock moved, never waited for), completion confirmed or
returned, extensions, If-Match on every step, and every refusal changing
nothing. Another agency sees none of it."""
import datetime
import itertools

from lib import admin, call, clock_moved, get, inbox_all, ok, post, problem, psql, tok, tokens, uid, wait_for

_numbers = itertools.count(int(datetime.datetime.now().timestamp()) % 100000 * 10 + 7)


def working_deadline(n):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "%2B00:00")
    return ok(get("stp.chuyenvien", f"/api/v1/calendar/deadline?from={now}&working_days={n}"))


def new_task(title="Báo cáo kết quả rà soát văn bản", who="stp.giamdoc", **extra):
    body = {"title": title, "lead_user_id": uid("stp.chuyenvien"), "deadline_working_days": 3, **extra}
    return ok(post(who, "/api/v1/tasks", body), 201)


def inbox(user, box="process", query=""):
    return inbox_all(tok(user), f"&box={box}{query}")


def inbox_item(user, task_id, box="process"):
    found = [i for i in inbox(user, box) if i["task"] and i["task"]["id"] == task_id]
    return found[0] if found else None


def test_a_leader_assigns_a_task_that_reaches_its_holders_inboxes_and_feeds():
    token = ok(get("stp.chuyenvien", "/api/v1/inbox/changes"))["next"]
    t = new_task(coordinators=[{"user_id": uid("stp.truongphong")}], priority="urgent")
    expect = working_deadline(3)
    assert t["deadline"] == expect["deadline"] and t["deadline_date"] == expect["deadline_date"], (t, expect)
    assert t["status"] == "in_progress" and t["source"] == "direct" and t["role"] == "main" and t["percent"] == 0
    assert t["holder"] == {"kind": "person", "user_id": uid("stp.chuyenvien"), "name": "Đỗ Minh Khoa", "unit_id": None,
                           "unit_name": None, "agency_code": "000.00.21.H19", "agency_name": "Sở Tư pháp"}, t["holder"]
    assert [g["role"] for g in t["group"]] == ["coordinate"] and t["events"][0]["action"] == "created"
    item = inbox_item("stp.chuyenvien", t["id"])
    assert item["kind"] == "task" and item["document"] is None and item["reason"] == "main", item
    assert item["task"]["status"] == "in_progress" and item["task"]["priority"] == "urgent" and item["etag"] == t["etag"]
    coord = inbox_item("stp.truongphong", t["group"][0]["id"])
    assert coord and coord["reason"] == "coordinate", coord
    feed = ok(get("stp.chuyenvien", f"/api/v1/inbox/changes?since={token}"))
    assert item["id"] in [c["id"] for c in feed["changed"]], feed
    urgent = inbox("stp.chuyenvien", query="&urgent=true")
    assert item["id"] in [i["id"] for i in urgent]
    tomorrow = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    near = new_task("Báo cáo nhanh", deadline=tomorrow, deadline_working_days=None)
    mine = ok(get("stp.chuyenvien", "/api/v1/me/tasks?status=due_soon&limit=100"))["items"]
    assert near["id"] in [x["id"] for x in mine] and all(x["due_soon"] for x in mine), mine
    assert near["due_soon"] and t["due_soon"] == (t["id"] in [x["id"] for x in mine])
    assigned = ok(get("stp.giamdoc", "/api/v1/me/tasks?view=assigned&limit=100"))["items"]
    assert t["id"] in [x["id"] for x in assigned]
    first = ok(get("stp.giamdoc", "/api/v1/me/tasks?view=assigned&limit=1"))
    second = ok(get("stp.giamdoc", f"/api/v1/me/tasks?view=assigned&limit=1&cursor={first['next_cursor']}"))
    assert [x["id"] for x in first["items"] + second["items"]] == [x["id"] for x in assigned[:2]], (first, second)
    # the coordinator sees the lead's task; another agency, and a clerk who holds nothing of it, do not
    assert ok(get("stp.truongphong", f"/api/v1/tasks/{t['id']}"))["id"] == t["id"]
    problem(get("stttt.chuyenvien", f"/api/v1/tasks/{t['id']}"), 404, "task-not-found")
    problem(get("stttt.giamdoc", f"/api/v1/tasks/{t['id']}"), 404, "task-not-found")
    problem(get("stp.vanthu", f"/api/v1/tasks/{t['id']}"), 404, "task-not-found")
    again = get("stp.chuyenvien", f"/api/v1/tasks/{t['id']}", headers={"If-None-Match": t["etag"]})
    assert again.status == 304, again


def test_completion_is_confirmed_or_returned_and_a_stale_step_is_refused():
    t = new_task("Tổng hợp báo cáo quý IV")
    tid, etag = t["id"], t["etag"]
    assert t["allowed_actions"] == [], "the assigner has nothing to decide yet"
    held = ok(get("stp.chuyenvien", f"/api/v1/tasks/{tid}"))
    assert held["allowed_actions"] == ["progress", "complete", "extend", "delegate"], held["allowed_actions"]
    p = post("stp.chuyenvien", f"/api/v1/tasks/{tid}/progress", {"percent": 40, "note": "Đã có số liệu 5/8 phòng"},
             headers={"If-Match": etag})
    moved = ok(p)
    assert moved["percent"] == 40 and p.headers["etag"] != etag and moved["events"][-1]["action"] == "progress"
    stale = post("stp.chuyenvien", f"/api/v1/tasks/{tid}/progress", {"percent": 60}, headers={"If-Match": etag})
    problem(stale, 412, "precondition-failed")
    assert stale.json["task"]["percent"] == 40 and stale.headers["etag"] == p.headers["etag"], stale.json
    problem(post("stp.giamdoc", f"/api/v1/tasks/{tid}/confirm"), 409, "task-wrong-state")
    done = ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/complete", {"note": "Đã hoàn thành"},
                   headers={"If-Match": p.headers["etag"]}))
    assert done["awaiting_confirmation"] and done["status"] == "in_progress" and done["percent"] == 100, done
    assert done["allowed_actions"] == [], done["allowed_actions"]
    waiting = inbox_item("stp.giamdoc", tid, box="approve")
    assert waiting and waiting["reason"] == "completion_reported", waiting
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/progress", {"percent": 90}), 409, "task-wrong-state")
    problem(post("stp.truongphong", f"/api/v1/tasks/{tid}/confirm"), 404, "task-not-found")
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/confirm"), 403, "not-the-assigner")
    problem(post("stp.giamdoc", f"/api/v1/tasks/{tid}/return", {}), 400, "invalid-field")
    back = ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/return", {"note": "Bổ sung số liệu phòng Hành chính"}))
    assert not back["awaiting_confirmation"] and back["reported_at"] is None and back["percent"] == 99, back
    assert inbox_item("stp.giamdoc", tid, box="approve") is None
    ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/complete"))
    final = ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/confirm", {"note": "Tốt"}))
    assert final["status"] == "done_on_time" and final["finished_at"], final
    assert [e["action"] for e in final["events"]] == ["created", "progress", "completed", "returned", "completed",
                                                      "confirmed"], final["events"]
    assert tid in [x["id"] for x in ok(get("stp.chuyenvien", "/api/v1/me/tasks?status=done_on_time&limit=100"))["items"]]
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/progress", {"percent": 100}), 409, "task-closed")
    assert inbox_item("stp.chuyenvien", tid, box="done")["task"]["status"] == "done_on_time"


def test_an_extension_asked_and_granted_moves_the_deadline_and_one_refused_keeps_it():
    t = new_task("Xây dựng kế hoạch kiểm tra năm 2027")
    tid = t["id"]
    asked = ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension",
                    {"deadline_working_days": 10, "reason": "Chờ ý kiến của các sở"}))
    assert asked["extension"]["deadline"] == working_deadline(10)["deadline"], asked["extension"]
    assert inbox_item("stp.giamdoc", tid, box="approve")["reason"] == "extension_asked"
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension", {"deadline_working_days": 12, "reason": "Thêm"}),
            409, "task-wrong-state")
    problem(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension/decide", {"grant": True}), 403, "not-the-assigner")
    granted = ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/extension/decide", {"grant": True, "note": "Đồng ý"}))
    assert granted["deadline"] == working_deadline(10)["deadline"] and granted["extension"] is None, granted
    problem(post("stp.giamdoc", f"/api/v1/tasks/{tid}/extension/decide", {"grant": True}), 409, "task-wrong-state")
    r = post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension", {"deadline_working_days": 2, "reason": "Sớm hơn"})
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/deadline", r.json
    ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension", {"deadline_working_days": 20, "reason": "Thêm nữa"}))
    kept = ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/extension/decide", {"grant": False}))
    assert kept["deadline"] == granted["deadline"] and kept["events"][-1]["action"] == "extension_refused", kept


def test_a_task_past_its_deadline_is_overdue_and_completed_then_is_done_late():
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).isoformat()
    t = new_task("Báo cáo gấp trong ngày", deadline=soon, deadline_working_days=None)
    assert t["status"] == "in_progress" and t["due_soon"], t
    tid = t["id"]
    with clock_moved(600):      # ten minutes on: the deadline has passed, the access tokens still live
        late = ok(get("stp.chuyenvien", f"/api/v1/tasks/{tid}"))
        assert late["status"] == "overdue" and not late["due_soon"], late
        overdue = ok(get("stp.chuyenvien", "/api/v1/me/tasks?status=overdue&limit=100"))["items"]
        assert tid in [x["id"] for x in overdue]
        assert inbox_item("stp.chuyenvien", tid)["overdue"] is True
        ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/complete"))
        assert ok(get("stp.chuyenvien", f"/api/v1/tasks/{tid}"))["status"] == "overdue", "awaiting confirmation: overdue"
        assert ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/confirm"))["status"] == "done_late"


def test_an_open_tasks_item_in_the_done_box_turns_overdue_in_the_changes_feed_and_the_inbox_etag():
    # an assigner of their own, whose inbox holds this task's item alone:
    # any change of its ETag is this item's
    who = f"stp.giaoviec{next(_numbers)}"
    r = admin("create-user", who, "Người giao việc thử", "000.00.21.H19", "official", "Chuyên viên", "",
              stdin="task-pass-1\n")
    assert r.returncode == 0, r.stderr
    t = tokens(who, "task-pass-1")["access_token"]
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).isoformat()
    tid = ok(call("POST", "/api/v1/tasks", token=t, body={"title": "Rà soát quy chế phối hợp liên ngành",
                                                          "lead_user_id": uid("stp.chuyenvien"), "deadline": soon}), 201)["id"]
    ok(post("stp.chuyenvien", f"/api/v1/tasks/{tid}/extension", {"deadline_working_days": 5, "reason": "Chờ số liệu"}))
    ok(call("POST", f"/api/v1/tasks/{tid}/extension/decide", token=t, body={"grant": False, "note": "Giữ hạn"}))
    # decided: the assigner's item is done, the task still open
    items = inbox_all(t, "&box=done") + inbox_all(t) + inbox_all(t, "&box=approve") + inbox_all(t, "&box=info")
    assert [(i["task"]["id"], i["box"], i["task"]["status"]) for i in items] == [(tid, "done", "in_progress")], items
    etag = call("GET", "/api/v1/inbox?box=done", token=t).headers["etag"]
    since = ok(call("GET", "/api/v1/inbox/changes", token=t))["next"]
    assert call("GET", "/api/v1/inbox?box=done", token=t, headers={"If-None-Match": etag}).status == 304
    with clock_moved(600):      # the deadline has passed
        fresh = lambda: call("GET", "/api/v1/inbox?box=done", token=t, headers={"If-None-Match": etag}).status == 200
        assert wait_for(fresh, 5), "the page's ETag changed: no stale 304"
        changed = ok(call("GET", f"/api/v1/inbox/changes?since={since}", token=t))["changed"]
        assert [(i["task"]["id"], i["box"], i["task"]["status"]) for i in changed] == [(tid, "done", "overdue")], changed


def unit_of(user):
    return int(psql(f"SELECT m.unit_id FROM memberships m JOIN users u ON u.id = m.user_id"
                    f" WHERE u.username = '{user}' AND m.is_primary"))


def test_a_task_given_to_a_unit_is_held_by_its_head():
    unit = unit_of("stp.truongphong")
    t = ok(post("stp.giamdoc", "/api/v1/tasks", {"title": "Rà soát văn bản quy phạm pháp luật quý I",
                                                 "lead_unit_id": unit, "deadline_working_days": 5}), 201)
    h = t["holder"]
    assert h["kind"] == "person" and h["user_id"] == uid("stp.truongphong") and h["unit_id"] == unit, h
    assert h["unit_name"] == psql(f"SELECT name FROM units WHERE id = {unit}"), h
    assert inbox_item("stp.truongphong", t["id"])["reason"] == "main"
    assert ok(get("stp.truongphong", f"/api/v1/tasks/{t['id']}"))["allowed_actions"][:2] == ["progress", "complete"]
    # as a coordinator too
    c = ok(post("stp.giamdoc", "/api/v1/tasks", {"title": "Phối hợp rà soát", "lead_user_id": uid("stp.chuyenvien"),
                                                 "coordinators": [{"unit_id": unit}]}), 201)
    assert [g["holder"]["unit_id"] for g in c["group"]] == [unit], c["group"]


def test_a_holder_delegates_a_sub_task_within_the_deadline_and_the_assigner_reads_the_trail():
    t = new_task("Kiểm tra văn bản của các huyện", deadline_working_days=5)
    sub = ok(post("stp.chuyenvien", "/api/v1/tasks", {"title": "Kiểm tra huyện Xuân Lộc", "parent_id": t["id"],
                                                       "lead_user_id": uid("stp.chuyenvien"), "deadline_working_days": 2}), 201)
    assert sub["parent_id"] == t["id"] and sub["source"] == "direct", sub
    r = post("stp.chuyenvien", "/api/v1/tasks", {"title": "Quá hạn của nhiệm vụ giao", "parent_id": t["id"],
                                                 "lead_user_id": uid("stp.chuyenvien"), "deadline_working_days": 9})
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/deadline"
    trail = ok(get("stp.giamdoc", f"/api/v1/tasks/{t['id']}"))
    assert [s["id"] for s in trail["subtasks"]] == [sub["id"]] and trail["events"][-1]["action"] == "delegated"
    assert ok(get("stp.giamdoc", f"/api/v1/tasks/{sub['id']}"))["id"] == sub["id"], "the trail is read downwards"
    problem(post("stp.truongphong", "/api/v1/tasks", {"title": "Không giữ nhiệm vụ", "parent_id": t["id"],
                                                      "lead_user_id": uid("stp.truongphong")}), 404, "task-not-found")


def test_a_directed_document_is_tasks_with_working_day_deadlines_and_their_status_shows_in_the_inbox():
    body = {"type_code": "CV", "subject": "Công văn đề nghị báo cáo công tác pháp chế",
            "number_notation": f"{next(_numbers)}/UBND-NC", "doc_date": "2026-11-20",
            "issuer_name": "Ủy ban nhân dân huyện Long Thành"}
    inc = ok(post("stp.vanthu", "/api/v1/documents/incoming", body), 201)["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    d = ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao phòng xử lý.", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline_working_days": 2},
        {"user_id": uid("stp.truongphong"), "role": "coordinate", "deadline_working_days": 2}]}))
    main = [a for a in d["assignments"] if a["role"] == "main" and a["active"]][0]
    assert main["deadline"] == working_deadline(2)["deadline"] and main["task_status"] == "in_progress", main
    task = ok(get("stp.chuyenvien", f"/api/v1/tasks/{main['id']}"))
    assert task["source"] == "document" and task["document_id"] == inc and task["title"] == body["subject"], task
    assert task["confirm_required"] is False
    item = [i for i in inbox("stp.chuyenvien") if i["document"] and i["document"]["id"] == inc][0]
    assert item["kind"] == "document" and item["task"]["id"] == main["id"] and item["task"]["status"] == "in_progress"
    ok(post("stp.chuyenvien", f"/api/v1/documents/{inc}/progress", {"action": "finish", "note": "Đã báo cáo"}))
    assert ok(get("stp.chuyenvien", f"/api/v1/tasks/{main['id']}"))["status"] == "done_on_time"
    assert ok(get("stp.chuyenvien", f"/api/v1/documents/{inc}"))["status"] == "done"
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "x", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline_working_days": 0}]}), 400, "invalid-field")


def test_an_agency_that_asks_for_confirmation_has_its_leader_confirm_a_directed_documents_task():
    bad = admin("agency-confirm-tasks", "000.00.99.H99", "yes")
    assert bad.returncode != 0 and "no open agency" in bad.stderr, bad.stderr
    assert admin("agency-confirm-tasks", "000.00.21.H19", "maybe").returncode != 0
    assert psql("SELECT confirm_document_tasks FROM agencies WHERE code = '000.00.21.H19' AND valid_to IS NULL") == "f"
    body = {"type_code": "CV", "subject": "Công văn đề nghị rà soát thủ tục hành chính",
            "number_notation": f"{next(_numbers)}/UBND-KSTT", "doc_date": "2026-11-24",
            "issuer_name": "Ủy ban nhân dân huyện Nhơn Trạch"}
    inc = ok(post("stp.vanthu", "/api/v1/documents/incoming", body), 201)["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    r = admin("agency-confirm-tasks", "000.00.21.H19", "yes")
    assert r.returncode == 0, r.stderr
    try:
        d = ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao rà soát.", "assignments": [
            {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline_working_days": 3}]}))
    finally:
        assert admin("agency-confirm-tasks", "000.00.21.H19", "no").returncode == 0
    tid = [a for a in d["assignments"] if a["role"] == "main" and a["active"]][0]["id"]
    assert ok(get("stp.chuyenvien", f"/api/v1/tasks/{tid}"))["confirm_required"] is True
    ok(post("stp.chuyenvien", f"/api/v1/documents/{inc}/progress", {"action": "finish", "note": "Đã rà soát xong"}))
    waiting = ok(get("stp.giamdoc", f"/api/v1/tasks/{tid}"))
    assert waiting["awaiting_confirmation"] and waiting["status"] == "in_progress", waiting
    assert waiting["allowed_actions"] == ["confirm", "return"], waiting["allowed_actions"]
    assert ok(get("stp.chuyenvien", f"/api/v1/documents/{inc}"))["status"] != "done", "not done until confirmed"
    assert inbox_item("stp.giamdoc", tid, box="approve")["reason"] == "completion_reported"
    final = ok(post("stp.giamdoc", f"/api/v1/tasks/{tid}/confirm", {"note": "Đạt"}, headers={"If-Match": waiting["etag"]}))
    assert final["status"] == "done_on_time", final
    assert ok(get("stp.chuyenvien", f"/api/v1/documents/{inc}"))["status"] == "done"
    assert inbox_item("stp.giamdoc", tid, box="approve") is None
    mine = [i for i in inbox("stp.chuyenvien", "done") if i["document"] and i["document"]["id"] == inc]
    assert mine and mine[0]["task"]["status"] == "done_on_time", "the holder's item is done"
    assert not [i for i in inbox("stp.chuyenvien") if i["document"] and i["document"]["id"] == inc]
    # an agency that does not ask: the finish is final (test_a_directed_document_is_tasks_...)


def test_a_task_for_another_agency_shows_it_no_document_and_a_decision_waits_in_the_assigners_box():
    body = {"type_code": "CV", "subject": "Công văn nội bộ của Sở Tư pháp",
            "number_notation": f"{next(_numbers)}/UBND-NC", "doc_date": "2026-11-20", "issuer_name": "UBND huyện"}
    doc = ok(post("stp.vanthu", "/api/v1/documents/incoming", body), 201)["id"]
    t = ok(post("stp.vanthu", "/api/v1/tasks", {"title": "Phối hợp", "lead_agency_code": "000.00.23.H19",
                                                "document_id": doc, "deadline_working_days": 5}), 201)
    sub = ok(post("stttt.vanthu", "/api/v1/tasks", {"title": "Giao chuyên viên", "parent_id": t["id"],
                                                     "lead_user_id": uid("stttt.chuyenvien"), "deadline_working_days": 3}), 201)
    assert sub["document_id"] == doc
    problem(get("stttt.chuyenvien", f"/api/v1/documents/{doc}"), 404, "document-not-found")
    problem(get("stttt.vanthu", f"/api/v1/documents/{doc}"), 404, "document-not-found")
    # an extension and a completion both wait: deciding one leaves the other in the box
    x = new_task("Hai quyết định chờ")
    ok(post("stp.chuyenvien", f"/api/v1/tasks/{x['id']}/extension", {"deadline_working_days": 9, "reason": "Chờ số liệu"}))
    ok(post("stp.chuyenvien", f"/api/v1/tasks/{x['id']}/complete"))
    ok(post("stp.giamdoc", f"/api/v1/tasks/{x['id']}/extension/decide", {"grant": True}))
    waiting = inbox_item("stp.giamdoc", x["id"], box="approve")
    assert waiting and waiting["reason"] == "completion_reported", waiting
    ok(post("stp.giamdoc", f"/api/v1/tasks/{x['id']}/confirm"))
    assert inbox_item("stp.giamdoc", x["id"], box="approve") is None
    # files of a progress report are the task's document's
    r = post("stp.chuyenvien", f"/api/v1/tasks/{new_task('Có tệp')['id']}/progress", {"percent": 10, "file_ids": [99999999]})
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/file_ids"


def test_bad_task_requests_are_refused_and_change_nothing():
    headless = int(psql(f"INSERT INTO units (agency_id, code, name, abbr) SELECT id, 'x', 'Tổ công tác chưa có người', 'TCT{next(_numbers)}'"
                        " FROM agencies WHERE code = '000.00.21.H19' AND valid_to IS NULL RETURNING id"))
    before = psql("SELECT count(*) || '/' || (SELECT count(*) FROM task_events) FROM tasks")
    cv = uid("stp.chuyenvien")
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).isoformat()
    cases = [
        ({"lead_user_id": cv}, 400, "invalid-field", "/title"),
        ({"title": "x", "lead_user_id": cv, "colour": "đỏ"}, 400, "unknown-field", "/colour"),
        ({"title": "x", "lead_user_id": cv, "priority": "high"}, 400, "invalid-field", "/priority"),
        ({"title": "x", "lead_user_id": cv, "deadline_working_days": 0}, 400, "invalid-field", "/deadline_working_days"),
        ({"title": "x"}, 422, "invalid-value", "/lead_user_id"),
        ({"title": "x", "lead_user_id": cv, "lead_agency_code": "000.00.23.H19"}, 422, "invalid-value",
         "/lead_agency_code"),
        ({"title": "x", "lead_unit_id": unit_of("stp.truongphong"), "lead_agency_code": "000.00.23.H19"}, 422,
         "invalid-value", "/lead_agency_code"),
        ({"title": "x", "lead_user_id": uid("stttt.chuyenvien")}, 422, "invalid-value", "/lead_user_id"),
        ({"title": "x", "lead_agency_code": "000.00.99.H19"}, 422, "invalid-value", "/lead_agency_code"),
        ({"title": "x", "lead_user_id": cv, "deadline": past}, 422, "invalid-value", "/deadline"),
        ({"title": "x", "lead_user_id": cv, "deadline": "2027-01-05T00:00:00+07:00", "deadline_working_days": 3},
         422, "invalid-value", "/deadline"),
        ({"title": "x", "lead_user_id": cv, "coordinators": [{"user_id": cv}]}, 422, "person-named-twice",
         "/coordinators/0"),
        ({"title": "x", "lead_user_id": cv, "coordinators": [{}]}, 422, "invalid-value", "/coordinators/0/user_id"),
        ({"title": "x", "lead_user_id": cv, "lead_unit_id": unit_of("stp.truongphong")}, 422, "invalid-value",
         "/lead_unit_id"),
        ({"title": "x", "lead_unit_id": unit_of("stttt.truongphong")}, 422, "invalid-value", "/lead_unit_id"),
        ({"title": "x", "lead_unit_id": headless}, 422, "invalid-value", "/lead_unit_id"),
        ({"title": "x", "lead_user_id": cv, "coordinators": [{"unit_id": 999999999}]}, 422, "invalid-value",
         "/coordinators/0/unit_id"),
        ({"title": "x", "lead_user_id": cv, "parent_id": 999999999}, 404, "task-not-found", "/parent_id"),
        ({"title": "x", "lead_user_id": cv, "document_id": 999999999}, 404, "document-not-found", "/document_id"),
    ]
    for body, status, slug, pointer in cases:
        r = post("stp.giamdoc", "/api/v1/tasks", body)
        problem(r, status, slug)
        assert pointer in [e["pointer"] for e in r.json.get("errors", [])], (body, r.json)
        assert not r.json["detail"].isascii(), r.json          # Vietnamese by default
    for path, body, status, slug in [("/api/v1/tasks/999999999/progress", {"percent": 5}, 404, "task-not-found"),
                                     ("/api/v1/tasks/abc/complete", {}, 404, "task-not-found"),
                                     ("/api/v1/tasks/1/progress", {"percent": 101}, 400, "invalid-field"),
                                     ("/api/v1/tasks/1/extension/decide", {"grant": "yes"}, 400, "invalid-field")]:
        problem(post("stp.chuyenvien", path, body), status, slug)
    for q in ("view=all", "status=late", "cursor=abc", "limit=0", "limit=101"):
        problem(get("stp.chuyenvien", f"/api/v1/me/tasks?{q}"), 400, "invalid-parameter")
    problem(call("GET", "/api/v1/me/tasks"), 401, "missing-token")
    assert psql("SELECT count(*) || '/' || (SELECT count(*) FROM task_events) FROM tasks") == before
