"""The working-day calendar through nginx: a year as announced, deadlines in
working days across Tết and swapped weekends, and its keeping by a holder of
the calendar role, with every refusal changing nothing."""
from lib import call, ok, problem, psql, tok, tokens



def deadline(frm, n, user="stp.chuyenvien"):
    return call("GET", f"/api/v1/calendar/deadline?from={frm}&working_days={n}", token=tok(user))


def test_anyone_signed_in_reads_the_announced_year_and_a_provisional_one():
    y = ok(call("GET", "/api/v1/calendar/years/2026", token=tok("stp.chuyenvien")))
    days = {d["date"]: d for d in y["days"]}
    assert days["2026-01-10"]["working"] and days["2026-01-10"]["kind"] == "worked", days["2026-01-10"]
    assert [d for d in days if d.startswith("2026-02")] == [f"2026-02-{n}" for n in range(16, 21)]
    assert days["2026-04-27"]["kind"] == "compensatory" and days["2026-08-31"]["kind"] == "swap_off"
    assert days["2026-02-17"]["name"] == "Tết Nguyên đán (Mùng 1)" and days["2026-02-17"]["kind_name"] == "Nghỉ lễ, Tết"
    assert y["provisional"] is False and not any(d["provisional"] for d in y["days"])
    # 261 weekdays, 13 of them off, 2 Saturdays worked
    assert y["working_days"] == 250, y["working_days"]
    y27 = ok(call("GET", "/api/v1/calendar/years/2027", token=tok("stp.chuyenvien")))
    assert y27["provisional"] is True and all(d["provisional"] for d in y27["days"])
    assert {"2027-02-06", "2027-02-10", "2027-05-03"} <= {d["date"] for d in y27["days"]}
    empty = ok(call("GET", "/api/v1/calendar/years/2040", token=tok("stp.chuyenvien")))
    assert empty["days"] == [] and empty["working_days"] == 261, empty      # 2040 is a leap year that starts on Sunday
    assert empty["provisional"] is True, "a year the calendar holds nothing of is unknown, not announced"
    y29 = ok(call("GET", "/api/v1/calendar/years/2029", token=tok("stp.chuyenvien")))
    assert y29["provisional"] and {"2029-01-01", "2029-02-13", "2029-09-04"} <= {d["date"] for d in y29["days"]}, y29
    d = ok(call("GET", "/api/v1/calendar/deadline?from=2028-12-29T10:00:00%2B07:00&working_days=1", token=tok("stp.chuyenvien")))
    assert d["deadline_date"] == "2029-01-02" and d["provisional"] is True, d    # 1 January 2029 is off
    again = call("GET", "/api/v1/calendar/years/2026", token=tok("stp.chuyenvien"),
                 headers={"If-None-Match": call("GET", "/api/v1/calendar/years/2026", token=tok("stp.vanthu")).headers["etag"]})
    assert again.status == 304, again
    problem(call("GET", "/api/v1/calendar/years/2026"), 401, "missing-token")
    for bad in ("1999", "2101", "26", "abcd", "20260"):
        r = call("GET", f"/api/v1/calendar/years/{bad}", token=tok("stp.chuyenvien"))
        problem(r, 400, "invalid-parameter")
        assert r.json["detail"] == "năm là số từ 2000 đến 2100", r.json


def test_a_deadline_in_working_days_skips_tet_and_weekends_and_counts_swapped_saturdays():
    cases = [  # (from, N, the last working day), computed by hand from the 2026 announcement
        ("2026-02-13T16:00:00%2B07:00", 1, "2026-02-23"),     # Tết 16-20 February and two weekends
        ("2026-02-13T16:00:00%2B07:00", 3, "2026-02-25"),
        ("2025-12-31T09:00:00%2B07:00", 1, "2026-01-05"),     # year end: 1 and 2 January off
        ("2025-12-31T09:00:00%2B07:00", 6, "2026-01-10"),     # the Saturday worked for 2 January
        ("2026-08-28T10:00:00%2B07:00", 2, "2026-09-04"),     # 31 August swapped, 1-2 September
        ("2026-02-12T17:00:00Z", 1, "2026-02-23"),             # 00:00 on 13 February local
        ("2026-02-12T16:59:59Z", 1, "2026-02-13"),             # still 12 February local
        ("2026-12-30T08:00:00%2B07:00", 3, "2027-01-05"),     # into the provisional year
    ]
    for frm, n, last in cases:
        d = ok(deadline(frm, n))
        assert d["deadline_date"] == last, (frm, n, d)
        nxt = {"2026-02-23": "2026-02-24", "2026-02-25": "2026-02-26", "2026-01-05": "2026-01-06",
               "2026-01-10": "2026-01-11", "2026-09-04": "2026-09-05", "2026-02-13": "2026-02-14",
               "2027-01-05": "2027-01-06"}[last]
        assert d["deadline"] == f"{nxt}T00:00:00.000+07:00", d       # 24:00 of the last day
        assert d["provisional"] == last.startswith("2027"), d
    # a + the client forgot to encode reads as a space, and is taken as +
    assert ok(deadline("2026-02-13T16:00:00+07:00", 1))["deadline_date"] == "2026-02-23"
    for frm, n in [("2026-02-13", 1), ("yesterday", 1), ("2026-02-13T16:00:00%2B07:00", 0),
                   ("2026-02-13T16:00:00%2B07:00", 366), ("2026-02-13T16:00:00%2B07:00", "x"),
                   ("2026-02-30T16:00:00%2B07:00", 1)]:
        problem(deadline(frm, n), 400, "invalid-parameter")
    problem(call("GET", "/api/v1/calendar/deadline?working_days=1", token=tok("stp.chuyenvien")), 400,
            "invalid-parameter")


def test_a_holder_of_the_calendar_role_enters_a_new_holiday_and_deadlines_follow():
    before = psql("SELECT count(*) || '/' || (SELECT version FROM calendar_state) FROM calendar_days")
    etag = call("GET", "/api/v1/calendar/years/2026", token=tok("stp.chuyenvien")).headers["etag"]
    assert ok(deadline("2026-11-23T09:00:00%2B07:00", 1))["deadline_date"] == "2026-11-24"
    body = {"kind": "holiday", "name": "Ngày Văn hóa Việt Nam", "source": "Bộ luật Lao động sửa đổi"}
    # refused, and nothing changes
    problem(call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("stp.vanthu"), body=body), 403, "forbidden")
    problem(call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body={"kind": "holiday"}), 400,
            "invalid-field")
    problem(call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body=dict(body, colour="đỏ")), 400,
            "unknown-field")
    r = call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body=dict(body, kind="festival"))
    problem(r, 422, "invalid-value")
    assert r.json["errors"][0]["pointer"] == "/kind" and "không có loại ngày festival" in r.json["detail"], r.json
    r = call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body=dict(body, kind="worked"))
    problem(r, 422, "invalid-value")
    for bad in ("2026-02-30", "1999-12-31", "24-11-2026", "2026-11-24x"):
        problem(call("PUT", f"/api/v1/calendar/days/{bad}", token=tok("admin"), body=body), 400, "invalid-parameter")
    problem(call("DELETE", "/api/v1/calendar/days/2026-11-24", token=tok("admin")), 404, "calendar-day-not-found")
    problem(call("DELETE", "/api/v1/calendar/days/2026-01-01", token=tok("stp.vanthu")), 403, "forbidden")
    assert psql("SELECT count(*) || '/' || (SELECT version FROM calendar_state) FROM calendar_days") == before

    day = ok(call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body=body))
    assert day["date"] == "2026-11-24" and day["working"] is False and day["provisional"] is False, day
    assert ok(deadline("2026-11-23T09:00:00%2B07:00", 1))["deadline_date"] == "2026-11-25"
    changed = call("GET", "/api/v1/calendar/years/2026", token=tok("stp.chuyenvien"),
                   headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["etag"] != etag, changed
    assert ok(changed)["working_days"] == 249
    # entered again as the same day: one row, changed in place
    again = ok(call("PUT", "/api/v1/calendar/days/2026-11-24", token=tok("admin"), body=dict(body, provisional=True)))
    assert again["provisional"] is True and psql("SELECT count(*) FROM calendar_days WHERE day = '2026-11-24'") == "1"
    assert psql("SELECT count(*) FROM audit_log WHERE action = 'calendar.day_set'") == "2"
    assert ok(call("DELETE", "/api/v1/calendar/days/2026-11-24", token=tok("admin")), 204) is None
    assert ok(deadline("2026-11-23T09:00:00%2B07:00", 1))["deadline_date"] == "2026-11-24"
