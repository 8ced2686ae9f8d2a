"""A person's phones and notifications through nginx: push tokens per login
(signing out takes them), quiet hours and the lock-screen setting, and the
history that is the truth a push only hints at: written in the same
transaction as what causes it, once, read marks that reach the other
phones through the feed, and a phone offline across ten alerts that finds
all ten."""
import datetime
import itertools

from lib import call, login, ok, problem, psql, tok, tokens, uid

STP, STTTT = "000.00.21.H19", "000.00.23.H19"
_numbers = itertools.count(int(datetime.datetime.now().timestamp()) % 100000 * 10 + 3)


def devices(t):
    return {d["device_id"]: d for d in ok(call("GET", "/api/v1/me/devices", token=t))["items"]}


def notices(user, limit=100):
    return ok(call("GET", f"/api/v1/me/notifications?limit={limit}", token=tok(user)))


def directive(title, code=STTTT):
    return ok(call("POST", "/api/v1/directives", token=tok("vp.chuyenvien"), body={
        "title": title, "content": title, "directed_by": uid("chutich"), "source": "meeting", "meeting": "TB 7",
        "agencies": [{"agency_code": code, "role": "lead", "deadline_working_days": 10}]}), 201)


def test_a_phone_registers_its_token_for_its_login_and_signing_out_takes_it():
    a = login("stp.chuyenvien", device="Điện thoại A").json["access_token"]
    b = login("stp.chuyenvien", device="Máy tính bảng B").json["access_token"]
    d = ok(call("PUT", "/api/v1/me/devices/iphone-khoa", token=a,
                body={"platform": "apns", "token": "a1b2" * 16, "app_version": "1.4.0", "locale": "vi-VN"}))
    assert d == {**d, "device_id": "iphone-khoa", "platform": "apns", "disabled": False} and "token" not in d, d
    ok(call("PUT", "/api/v1/me/devices/ipad-khoa", token=b, body={"platform": "fcm", "token": "fcm-token-of-the-ipad"}))
    assert set(devices(a)) >= {"iphone-khoa", "ipad-khoa"}
    again = ok(call("PUT", "/api/v1/me/devices/iphone-khoa", token=a, body={"platform": "apns", "token": "c3d4" * 16}))
    assert again["created_at"] == d["created_at"], "renewed in place"
    assert psql(f"SELECT token FROM devices WHERE device_id = 'iphone-khoa' AND user_id = {uid('stp.chuyenvien')}") == "c3d4" * 16
    # signing out on the tablet takes the tablet's registration, and only it
    assert call("POST", "/api/v1/auth/logout", token=b, body={}).status in (200, 204)
    left = devices(a)
    assert "ipad-khoa" not in left and "iphone-khoa" in left, left
    # the phone changes hands: the token leaves the account that had it
    ok(call("PUT", "/api/v1/me/devices/iphone-1", token=tok("stp.truongphong"), body={"platform": "apns", "token": "c3d4" * 16}))
    assert "iphone-khoa" not in devices(a)
    for body, status, slug in [({"platform": "sms", "token": "x"}, 400, "invalid-field"),
                               ({"platform": "fcm", "token": ""}, 400, "invalid-field"),
                               ({"platform": "fcm"}, 400, "invalid-field"),
                               ({"platform": "fcm", "token": "x", "colour": 1}, 400, "unknown-field")]:
        problem(call("PUT", "/api/v1/me/devices/may-1", token=a, body=body), status, slug)
    problem(call("PUT", "/api/v1/me/devices/may%201", token=a, body={"platform": "fcm", "token": "x"}), 422, "invalid-value")
    assert "may-1" not in devices(a)
    problem(call("DELETE", "/api/v1/me/devices/khong-co", token=a), 404, "device-not-found")
    ok(call("PUT", "/api/v1/me/devices/may-1", token=a, body={"platform": "fcm", "token": "tok-may-1"}))
    assert call("DELETE", "/api/v1/me/devices/may-1", token=a).status == 204
    problem(call("DELETE", "/api/v1/me/devices/may-1", token=a), 404, "device-not-found")


def test_quiet_hours_and_the_lock_screen_setting_are_the_persons_own():
    t = tok("stp.phogiamdoc")
    assert ok(call("GET", "/api/v1/me/notification-settings", token=t)) == \
        {"quiet_start": "22:00", "quiet_end": "06:30", "show_subject": False}
    s = ok(call("PUT", "/api/v1/me/notification-settings", token=t, body={"quiet_start": "21:30"}))
    assert s == {"quiet_start": "21:30", "quiet_end": "06:30", "show_subject": False}, s
    s = ok(call("PUT", "/api/v1/me/notification-settings", token=t, body={"show_subject": True, "quiet_end": "07:00"}))
    assert s == {"quiet_start": "21:30", "quiet_end": "07:00", "show_subject": True}, s
    r = call("PUT", "/api/v1/me/notification-settings", token=t, body={"quiet_start": "25:00"})
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/quiet_start"
    problem(call("PUT", "/api/v1/me/notification-settings", token=t, body={"quiet_end": "7:00"}), 400, "invalid-field")
    assert ok(call("GET", "/api/v1/me/notification-settings", token=t))["quiet_end"] == "07:00"


def test_what_waits_for_a_person_is_in_their_history_once_with_a_generic_title():
    # a directive assigned to the agency: its clerk and its leader
    d = directive("Triển khai chuyển đổi số cấp xã")
    part = d["parts"][0]["id"]
    for user in ("stttt.vanthu", "stttt.giamdoc"):
        mine = [n for n in notices(user)["items"] if n["task_id"] == part]
        assert [n["kind"] for n in mine] == ["directive_assigned"], (user, mine)
        assert mine[0]["title"] == "Chỉ đạo mới của lãnh đạo tỉnh" and mine[0]["subject"] is None, mine
    # the setting lets the subject show
    ok(call("PUT", "/api/v1/me/notification-settings", token=tok("stttt.giamdoc"), body={"show_subject": True}))
    shown = [n for n in notices("stttt.giamdoc")["items"] if n["task_id"] == part][0]
    assert shown["subject"] == "Triển khai chuyển đổi số cấp xã", shown
    # a reminder is a notification of its own, each time
    for note in ("Lần 1", "Lần 2"):
        ok(call("POST", f"/api/v1/directives/{d['id']}/remind", token=tok("vp.chuyenvien"), body={"agency_code": STTTT, "note": note}))
    assert [n["kind"] for n in notices("stttt.vanthu")["items"] if n["task_id"] == part].count("reminder") == 2
    # a draft waiting for one's approval
    draft = ok(call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"), body={
        "type_code": "CV", "subject": "Công văn về việc góp ý dự thảo", "urgency": 1,
        "recipients": [{"agency_code": STTTT}]}), 201)
    ok(call("POST", f"/api/v1/documents/{draft['id']}/submit", token=tok("stp.chuyenvien"), body={}))
    waiting = [n for n in notices("stp.truongphong")["items"] if n["document_id"] == draft["id"]]
    assert [(n["kind"], n["title"], n["urgent"]) for n in waiting] == [("draft_to_approve", "Văn bản cần duyệt", True)], waiting
    # nothing of another's
    assert not [n for n in notices("stp.vanthu")["items"] if n["task_id"] == part]


def test_a_read_mark_reaches_the_other_phones_and_an_offline_phone_finds_all_ten():
    phone = login("stttt.vanthu", device="Điện thoại").json["access_token"]
    laptop = login("stttt.vanthu", device="Máy tính").json["access_token"]
    since = ok(call("GET", "/api/v1/me/notifications/changes", token=phone))["next"]
    before = ok(call("GET", "/api/v1/me/notifications?limit=1", token=phone))["unread"]
    made = [directive(f"Chỉ đạo thử số {i}")["parts"][0]["id"] for i in range(10)]
    page = ok(call("GET", "/api/v1/me/notifications?limit=100", token=phone))
    assert page["unread"] == before + 10, (before, page["unread"])
    assert {n["task_id"] for n in page["items"] if n["kind"] == "directive_assigned"} >= set(made)
    changed, token = [], since
    while True:
        feed = ok(call("GET", f"/api/v1/me/notifications/changes?since={token}&limit=4", token=phone))
        changed += feed["changed"]
        token = feed["next"]
        if not feed["has_more"]:
            break
    assert sorted(n["task_id"] for n in changed) == sorted(made), changed
    # read on the laptop: the phone learns it from the feed
    one = [n for n in page["items"] if n["task_id"] == made[0]][0]
    read = ok(call("POST", f"/api/v1/me/notifications/{one['id']}/read", token=laptop))
    assert read["read"] and read["read_at"], read
    again = ok(call("POST", f"/api/v1/me/notifications/{one['id']}/read", token=laptop))
    assert again["read_at"] == read["read_at"], "read again is no change"
    feed = ok(call("GET", f"/api/v1/me/notifications/changes?since={token}", token=phone))
    assert [(n["id"], n["read"]) for n in feed["changed"]] == [(one["id"], True)], feed
    assert ok(call("GET", f"/api/v1/me/notifications/changes?since={feed['next']}", token=phone))["changed"] == []
    assert ok(call("GET", "/api/v1/me/notifications?limit=1", token=phone))["unread"] == before + 9
    # another's notification, and tokens that are not the phone's
    problem(call("POST", f"/api/v1/me/notifications/{one['id']}/read", token=tok("stp.vanthu")), 404, "notification-not-found")
    other = ok(call("GET", "/api/v1/me/notifications/changes", token=tok("stp.vanthu")))["next"]
    for bad in (other, "abc", "bjE6MTox"):
        problem(call("GET", f"/api/v1/me/notifications/changes?since={bad}", token=phone), 410, "sync-token-expired")
    first = ok(call("GET", "/api/v1/me/notifications?limit=3", token=phone))
    second = ok(call("GET", f"/api/v1/me/notifications?limit=3&cursor={first['next_cursor']}", token=phone))
    ids = [n["id"] for n in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6, ids
    problem(call("GET", "/api/v1/me/notifications?cursor=12", token=phone), 400, "invalid-parameter")
